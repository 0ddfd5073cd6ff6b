/* kiln admin: small progressive enhancements; every action works without it. */
(function () {
	"use strict";
	/* warn before leaving an editor form with unsaved changes */
	var form = document.querySelector("form.editor");
	if (form) {
		var dirty = false;
		form.addEventListener("input", function () { dirty = true; });
		form.addEventListener("submit", function () { dirty = false; });
		window.addEventListener("beforeunload", function (e) {
			if (dirty) {
				e.preventDefault();
				e.returnValue = "";
			}
		});
	}
})();
