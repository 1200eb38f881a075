// Loaded by every page; pushed, or hinted, with every page by <Location "/">.
var quartpushStatus = document.getElementById("status");
if (quartpushStatus) {
    quartpushStatus.textContent = "app.js ran.";
}
