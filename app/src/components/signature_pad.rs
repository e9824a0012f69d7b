//! A pad to sign with a finger (or a stylus, or a mouse): pointer events become the strokes of a
//! `domain::attendance::Signature`, drawn as the same smooth path the list later shows as SVG.

use domain::attendance::{Signature, PAD_HEIGHT, PAD_WIDTH};
use leptos::ev::PointerEvent;
use leptos::prelude::*;

#[component]
pub fn SignaturePad(
    signature: RwSignal<Signature>,
    #[prop(into)] label: Signal<String>,
    /// The id of the text that explains what to do (and any problem).
    described_by: &'static str,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let drawing = StoredValue::new(false);
    // Redraws on every change, including "clear".
    Effect::new(move || signature.with(|s| draw(canvas, s)));
    let position = move |ev: &PointerEvent| pad_position(canvas, ev);
    let on_down = move |ev: PointerEvent| {
        ev.prevent_default();
        let Some((x, y)) = position(&ev) else {
            return;
        };
        if let Some(element) = canvas.get_untracked() {
            // Keep receiving the stroke when the finger slides past the edge.
            let _ = element.set_pointer_capture(ev.pointer_id());
        }
        drawing.set_value(true);
        signature.update(|s| s.begin_stroke(x, y));
    };
    let on_move = move |ev: PointerEvent| {
        if !drawing.get_value() {
            return;
        }
        ev.prevent_default();
        if let Some((x, y)) = position(&ev) {
            signature.maybe_update(|s| s.extend_stroke(x, y));
        }
    };
    let on_up = move |_: PointerEvent| drawing.set_value(false);
    view! {
        <canvas
            node_ref=canvas
            class="signature-pad"
            data-testid="signature-pad"
            width=PAD_WIDTH
            height=PAD_HEIGHT
            role="img"
            aria-label=label
            aria-describedby=described_by
            on:pointerdown=on_down
            on:pointermove=on_move
            on:pointerup=on_up
            on:pointercancel=on_up
        ></canvas>
    }
}

/// The canvas is scaled by CSS; a pointer's position is mapped back into the pad's fixed box.
#[cfg(feature = "hydrate")]
fn pad_position(canvas: NodeRef<leptos::html::Canvas>, ev: &PointerEvent) -> Option<(f64, f64)> {
    let element = canvas.get_untracked()?;
    let rect = element.get_bounding_client_rect();
    if rect.width() <= 0.0 || rect.height() <= 0.0 {
        return None;
    }
    Some((
        (f64::from(ev.client_x()) - rect.left()) * f64::from(PAD_WIDTH) / rect.width(),
        (f64::from(ev.client_y()) - rect.top()) * f64::from(PAD_HEIGHT) / rect.height(),
    ))
}

#[cfg(not(feature = "hydrate"))]
fn pad_position(canvas: NodeRef<leptos::html::Canvas>, ev: &PointerEvent) -> Option<(f64, f64)> {
    let _ = (canvas, ev);
    None
}

#[cfg(feature = "hydrate")]
fn draw(canvas: NodeRef<leptos::html::Canvas>, signature: &Signature) {
    use leptos::wasm_bindgen::JsCast;
    let Some(element) = canvas.get() else {
        return;
    };
    let Some(context) = element
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    context.clear_rect(0.0, 0.0, f64::from(PAD_WIDTH), f64::from(PAD_HEIGHT));
    context.set_line_width(5.0);
    context.set_line_cap("round");
    context.set_line_join("round");
    context.set_stroke_style_str("#111111");
    if let Ok(path) = web_sys::Path2d::new_with_path_string(&signature.svg_path()) {
        context.stroke_with_path(&path);
    }
}

#[cfg(not(feature = "hydrate"))]
fn draw(canvas: NodeRef<leptos::html::Canvas>, signature: &Signature) {
    let _ = (canvas, signature);
}

/// A stored signature, drawn from its strokes.
#[component]
pub fn SignatureImage(signature: Signature, #[prop(into)] label: String) -> impl IntoView {
    let view_box = format!("0 0 {PAD_WIDTH} {PAD_HEIGHT}");
    view! {
        <svg class="signature" viewBox=view_box role="img" aria-label=label>
            <path d=signature.svg_path() />
        </svg>
    }
}
