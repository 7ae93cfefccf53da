//! Browser entry point: mounts the storefront on `<body>`. Everything else lives in the library
//! so the modules stay small and testable.

fn main() {
    leptos::mount::mount_to_body(festival_app::App);
}
