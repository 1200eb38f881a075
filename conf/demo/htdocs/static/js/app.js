document.getElementById("status").textContent = "The pushed script ran.";
