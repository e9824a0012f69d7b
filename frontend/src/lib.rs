//! Entry point of the browser bundle: the hydration script calls `hydrate` once the wasm is loaded.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
