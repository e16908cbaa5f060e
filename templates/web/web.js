// A little help where it helps; every page works without it.
// A button beside the interview's link copies it.
document.addEventListener("DOMContentLoaded", function () {
  var link = document.querySelector("a.resume-link");
  if (!link || !navigator.clipboard) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "copy";
  button.textContent = "Copy the link";
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(link.href).then(function () { button.textContent = "Copied"; });
  });
  link.parentNode.appendChild(button);
});
