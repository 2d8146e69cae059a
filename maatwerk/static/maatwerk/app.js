// Small progressive enhancements; the app works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Submit the language form on change for mouse users; the button stays for keyboard users.
  const select = document.getElementById("id-language");
  if (select) select.addEventListener("change", () => select.form.submit());
});
