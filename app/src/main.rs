//! Browser entry point: mounts the storefront on `<body>`, in place of the page the edge painted.
//! Everything else lives in the library so the modules stay small and testable.

fn main() {
    festival_app::shop::start(|| leptos::mount::mount_to_body(festival_app::App));
}
