//! Browser entry point: mounts the console on `<body>`.

fn main() {
    leptos::mount::mount_to_body(festival_console::Console);
}
