/* ccr site script: optional; every page reads fine without it.
 * - "copy as markdown link" buttons (run pages)
 * - #L120-L140 line ranges highlighted on log pages
 * - #L<n> beyond this log page forwarded to the page that holds line n
 * - "download" of a log shown exactly on its page (no raw copy is written then) */
(function () {
	"use strict";
	/* a "copy as markdown link" button beside every permalink of a run page:
	 * [recipe tier test at tag, date](url), the url absolute when the site was
	 * rendered with --base-url (h1 data-base), else this page's own address */
	function copyButtons() {
		var run = document.getElementById("run");
		if (!run)
			return;
		var perma = document.querySelectorAll("a.perma");
		for (var i = 0; i < perma.length; i++) {
			var a = perma[i];
			var b = document.createElement("button");
			b.type = "button";
			b.className = "copymd";
			b.textContent = "copy link";
			b.title = "copy as markdown link";
			b.addEventListener("click", copy);
			a.parentNode.insertBefore(b, a.nextSibling);
		}
		function copy(ev) {
			var el = ev.currentTarget, a = el.previousSibling;
			var anchor = a.getAttribute("href").slice(1);
			var sec = el.closest("section.tier"), li = el.closest("li.case");
			var name = li ? li.querySelector("a.name") : null;
			var parts = [run.getAttribute("data-recipe")];
			if (sec)
				parts.push(sec.getAttribute("data-tier"));
			if (name)
				parts.push(name.textContent);
			var text = parts.join(" ") + " at " + run.getAttribute("data-version") + ", " +
				run.getAttribute("data-date");
			var base = run.getAttribute("data-base") || location.href.split("#")[0];
			var url = base + "#" + anchor;
			var md = "[" + text.replace(/([\[\]\\<>`])/g, "\\$1") + "](" + url.replace(/\)/g, "%29") + ")";
			var done = function () { el.textContent = "copied"; };
			if (navigator.clipboard && navigator.clipboard.writeText)
				navigator.clipboard.writeText(md).then(done, function () { prompt("markdown link", md); });
			else
				prompt("markdown link", md);
		}
	}
	function logLines() {
		var log = document.getElementById("log");
		if (!log)
			return;
		var m = /^#L(\d+)(?:-L?(\d+))?$/.exec(location.hash);
		var marked = log.querySelectorAll("a.hl");
		for (var i = 0; i < marked.length; i++)
			marked[i].classList.remove("hl");
		if (!m)
			return;
		var a = parseInt(m[1], 10), b = m[2] ? parseInt(m[2], 10) : a;
		if (b < a) { var t = a; a = b; b = t; }
		var lpp = parseInt(log.getAttribute("data-lpp"), 10);
		var page = parseInt(log.getAttribute("data-page"), 10);
		var pages = parseInt(log.getAttribute("data-pages"), 10);
		var want = Math.floor((a - 1) / lpp) + 1;
		if (want !== page && want >= 1 && want <= pages) {
			var base = log.getAttribute("data-log");
			location.replace(base + (want > 1 ? ".p" + want : "") + ".html" + location.hash);
			return;
		}
		for (var n = a; n <= b && n - a < 100000; n++) {
			var el = document.getElementById("L" + n);
			if (el)
				el.classList.add("hl");
		}
		var first = document.getElementById("L" + a);
		if (first)
			first.scrollIntoView();
	}
	/* a log page that holds its log byte for byte (pre data-exact, render/page_log.c)
	 * has no raw copy beside it: offer the page's own text, without the line numbers */
	function logDownload() {
		var log = document.getElementById("log"), info = document.getElementById("loginfo");
		if (!log || !info || !log.hasAttribute("data-exact"))
			return;
		var a = document.createElement("a");
		a.textContent = "Download the raw log";
		a.href = "#";
		a.setAttribute("download", log.getAttribute("data-log"));
		a.addEventListener("click", function () {
			var copy = log.cloneNode(true), nums = copy.querySelectorAll("a[id]");
			for (var i = 0; i < nums.length; i++)
				nums[i].parentNode.removeChild(nums[i]);
			if (a.href.indexOf("blob:") === 0)
				URL.revokeObjectURL(a.href);
			a.href = URL.createObjectURL(new Blob([copy.textContent], { type: "text/plain" }));
		});
		info.appendChild(document.createTextNode(" "));
		info.appendChild(a);
		info.appendChild(document.createTextNode("."));
	}
	/* form.filter[data-target]: selects with data-key filter the rows of the target
	 * tables by their data-<key> attribute; the options come from the rows */
	function filters() {
		var forms = document.querySelectorAll("form.filter");
		for (var i = 0; i < forms.length; i++) {
			var form = forms[i];
			var rows = document.querySelectorAll(form.getAttribute("data-target") + " tbody tr");
			var sels = form.querySelectorAll("select[data-key]");
			var apply = function () {
				for (var r = 0; r < rows.length; r++) {
					var show = true;
					for (var s = 0; s < sels.length; s++) {
						var v = sels[s].value;
						if (v && rows[r].getAttribute("data-" + sels[s].getAttribute("data-key")) !== v)
							show = false;
					}
					rows[r].hidden = !show;
				}
			};
			for (var s = 0; s < sels.length; s++) {
				var key = sels[s].getAttribute("data-key"), seen = {}, vals = [];
				for (var r = 0; r < rows.length; r++) {
					var v = rows[r].getAttribute("data-" + key);
					if (v !== null && !seen[v]) { seen[v] = 1; vals.push(v); }
				}
				vals.sort();
				for (var k = 0; k < vals.length; k++) {
					var o = document.createElement("option");
					o.value = vals[k];
					o.textContent = vals[k];
					sels[s].appendChild(o);
				}
				sels[s].addEventListener("change", apply);
			}
			form.hidden = false;
		}
	}
	document.addEventListener("DOMContentLoaded", function () {
		filters();
		copyButtons();
		logLines();
		logDownload();
		window.addEventListener("hashchange", logLines);
	});
})();
