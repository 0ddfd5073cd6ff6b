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
/* the editor's Media link: with JS, a list of files beside the body; a
   click inserts the file's Markdown at the cursor (without JS the link
   opens the library, whose Insert buttons append it to the draft) */
(function () {
	"use strict";
	var link = document.querySelector("a.media-pick");
	var body = document.getElementById("body");
	if (!link || !body || !window.fetch || !window.DOMParser)
		return;
	var box = null;
	function close() {
		if (box) {
			box.parentNode.removeChild(box);
			box = null;
			link.setAttribute("aria-expanded", "false");
		}
	}
	function insert(text) {
		var s = body.selectionStart, e = body.selectionEnd;
		body.setRangeText(text, s, e, "end");
		body.dispatchEvent(new Event("input", { bubbles: true }));
		body.focus();
	}
	function show(doc) {
		close();
		box = document.createElement("div");
		box.className = "media-picker";
		box.id = "media-picker";
		var rows = doc.querySelectorAll("code.snippet[data-snippet]");
		if (!rows.length) {
			var p = document.createElement("p");
			p.textContent = "No media files yet: upload one in the media library.";
			box.appendChild(p);
		}
		var ul = document.createElement("ul");
		Array.prototype.forEach.call(rows, function (c) {
			var li = document.createElement("li");
			var b = document.createElement("button");
			b.type = "button";
			b.textContent = "Insert " + c.getAttribute("data-snippet");
			b.addEventListener("click", function () {
				insert(c.getAttribute("data-snippet"));
				close();
			});
			li.appendChild(b);
			ul.appendChild(li);
		});
		box.appendChild(ul);
		var more = document.createElement("a");
		more.href = link.href;
		more.textContent = "Open the media library (upload)";
		box.appendChild(more);
		link.parentNode.insertBefore(box, link.nextSibling);
		link.setAttribute("aria-expanded", "true");
		var first = box.querySelector("button, a");
		if (first)
			first.focus();
	}
	link.setAttribute("aria-controls", "media-picker");
	link.setAttribute("aria-expanded", "false");
	link.addEventListener("click", function (e) {
		e.preventDefault();
		if (box) {
			close();
			return;
		}
		fetch(link.href, { credentials: "same-origin" }).then(function (r) {
			return r.text();
		}).then(function (html) {
			show(new DOMParser().parseFromString(html, "text/html"));
		}).catch(function () { location.href = link.href; });
	});
	document.addEventListener("keydown", function (e) {
		if (e.key === "Escape" && box) {
			close();
			link.focus();
		}
	});
})();
