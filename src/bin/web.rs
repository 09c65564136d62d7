//! Browser entry point: mounts the Yew app from `exitpath::ui` on wasm32; a no-op natively.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    yew::Renderer::<exitpath::ui::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
