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
/* a running build: poll its status and log every 2 s until it ends */
(function () {
	"use strict";
	var box = document.getElementById("build");
	if (!box || !box.getAttribute("data-running") || !window.fetch)
		return;
	var url = box.getAttribute("data-status-url");
	function tick() {
		fetch(url, { credentials: "same-origin" }).then(function (r) {
			return r.json();
		}).then(function (b) {
			document.getElementById("build-status").textContent = b.status;
			document.getElementById("build-log").textContent = b.log || "";
			if (b.status === "running" || b.status === "pending")
				setTimeout(tick, 2000);
			else
				location.reload();
		}).catch(function () { setTimeout(tick, 5000); });
	}
	setTimeout(tick, 2000);
})();
