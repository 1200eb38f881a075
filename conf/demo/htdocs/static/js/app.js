// Loaded by every page; pushed, or hinted, with every page by <Location "/">.
var quartpushStatus = document.getElementById("status");
if (quartpushStatus) {
    quartpushStatus.textContent = "app.js ran.";
}

// The font: once the page's fonts are in, say whether the page uses Inter
// and how often the browser fetched it. Once means that the request the page
// made for its font was served by the earlier preload (the 103's, or the
// <link rel=preload> of index.html): a preload made without crossorigin is
// not reused, and the font is fetched a second time.
function quartpushFont() {
    var fetched = performance.getEntriesByType("resource").filter(function (e) {
        return new URL(e.name).pathname === "/fonts/inter.woff2";
    });
    var el = document.getElementById("font");
    if (!el) {
        el = document.createElement("p");
        el.id = "font";
        el.className = "note";
        document.body.appendChild(el);
    }
    el.textContent = "Font Inter: " +
        (document.fonts.check("1em Inter") ? "in use" : "not in use") +
        ", /fonts/inter.woff2 fetched " + fetched.length + " time(s)" +
        (fetched.length ? " (initiatorType " + fetched.map(function (e) {
            return e.initiatorType;
        }).join(", ") + ")" : "") + ".";
}
if (document.fonts && window.performance) {
    document.fonts.ready.then(quartpushFont);
    window.addEventListener("load", quartpushFont);
}
