//! Render SVG charts to PNG, to look at a report's charts as a browser would
//! show them (resvg, a dev-dependency, with the system's fonts):
//!
//! ```sh
//! cargo run --example svg_to_png -- results/rosenbrock/loss.svg /tmp/loss.png
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [svg, png] = args.as_slice() else {
        eprintln!("usage: svg_to_png IN.svg OUT.png");
        return ExitCode::from(2);
    };
    let mut options = resvg::usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    // The charts ask for the generic "sans-serif"; map it to a font that is often installed.
    options.fontdb_mut().set_sans_serif_family("DejaVu Sans");
    let result = std::fs::read(svg)
        .map_err(|e| format!("{svg}: {e}"))
        .and_then(|data| resvg::usvg::Tree::from_data(&data, &options).map_err(|e| format!("{svg}: {e}")))
        .and_then(|tree| {
            let size = tree.size().to_int_size();
            let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
                .ok_or_else(|| format!("{svg}: empty image"))?;
            resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
            pixmap.save_png(png).map_err(|e| format!("{png}: {e}"))
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
