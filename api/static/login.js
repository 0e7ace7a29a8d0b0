// The login form: after a refused attempt (the page comes back with an error) the email typed is kept, so only
// the password is typed again. Kept for this tab only (sessionStorage), and only until the next page without an error.
// Nobody is logged in here: the previous user's offline copy of their last brief goes (static/offline.js).
import { forgetOffline } from "./offline.js";

forgetOffline();
const KEY = "top-login-email";
const form = document.querySelector('form[action="/login"]');
const email = form?.elements.email;
if (form && email) {
  try {
    const kept = sessionStorage.getItem(KEY);
    if (kept && !email.value && document.querySelector(".form-error")) {
      email.value = kept;
      form.elements.password?.focus();
    } else {
      sessionStorage.removeItem(KEY);
    }
    form.addEventListener("submit", () => sessionStorage.setItem(KEY, email.value.trim()));
  } catch {
    // storage blocked: the form works as before
  }
}
