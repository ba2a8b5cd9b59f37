import "./style.css";
import "./console/console.css";
import { consoleView } from "./views/console";

// A page of its own (console.html): the account app's navigation and events are not involved.
const root = document.querySelector<HTMLElement>("#app")!;
root.replaceChildren(consoleView());
root.querySelector<HTMLElement>("h1")?.focus();
