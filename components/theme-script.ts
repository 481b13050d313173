export const THEME_KEY = "ovc-theme";

/**
 * Run by the root layout before the first paint, so a dark page never flashes light: the saved choice, else the
 * system's preference. A plain module (not "use client") so the server layout gets the string itself.
 */
export const THEME_SCRIPT = `try{var t=localStorage.getItem("${THEME_KEY}");if(t==="dark"||(!t&&matchMedia("(prefers-color-scheme: dark)").matches))document.documentElement.classList.add("dark")}catch(e){}`;
