//! Entry point of the browser bundle: the hydration script calls `hydrate` once the wasm is loaded.
// Release builds keep the views' full static types (debug builds erase them); the deepest, such as the
// accounts list, exceed the default limit when the compiler lays out their hydration futures.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
