// The user page's script: pushed for /user/<int:id> by conf/demo/user.routes.
var quartpushProfile = document.getElementById("profile");
if (quartpushProfile) {
    quartpushProfile.textContent = "profile.js ran for user " +
        location.pathname.split("/")[2] + ".";
}
