//! `optlab animate`: the GIF decoded frame by frame.

use assert_cmd::cargo::cargo_bin_cmd;
use std::fs;

#[test]
fn a_300_frame_race_at_640x400_decodes_and_stays_small() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("race.gif");
    let run = cargo_bin_cmd!("optlab")
        .args(["animate", "rosenbrock", "--out", out.to_str().unwrap(), "--every", "10"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let bytes = fs::read(&out).unwrap();
    assert!(bytes.len() < 5_000_000, "{} bytes", bytes.len());
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(bytes.as_slice()).unwrap();
    assert_eq!((decoder.width(), decoder.height()), (640, 400));
    // Compose the frames as a viewer does and check each picture.
    let mut screen = vec![0u8; 640 * 400 * 4];
    let mut frames = 0;
    let mut previous_paths = 0;
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        frames += 1;
        assert!(frame.width > 0 && frame.height > 0);
        for y in 0..frame.height as usize {
            for x in 0..frame.width as usize {
                let src = &frame.buffer[(y * frame.width as usize + x) * 4..][..4];
                if src[3] == 0 {
                    continue;
                }
                let (sx, sy) = (frame.left as usize + x, frame.top as usize + y);
                screen[(sy * 640 + sx) * 4..][..4].copy_from_slice(src);
            }
        }
        let mut colours = std::collections::HashSet::new();
        for p in screen.chunks(4) {
            colours.insert([p[0], p[1], p[2]]);
        }
        assert!(colours.len() > 20, "frame {frames}: {} colours, an empty picture", colours.len());
        // The Adam colour (the fifth of the charts' palette, purple) grows frame by frame.
        let purple = screen.chunks(4).filter(|p| p[..3] == [148, 103, 189]).count();
        assert!(purple >= previous_paths / 2, "frame {frames}: the paths vanished");
        previous_paths = purple;
    }
    // 3000 updates, 10 per frame: frames at 0, 10, ..., 3000.
    assert_eq!(frames, 301);
    assert!(previous_paths > 500, "the last frame shows the paths");
}

#[test]
fn animate_refuses_files_it_did_not_write_and_models() {
    let tmp = tempfile::tempdir().unwrap();
    let theirs = tmp.path().join("theirs.gif");
    fs::write(&theirs, b"GIF89a not ours").unwrap();
    let run = cargo_bin_cmd!("optlab").args(["animate", "saddle", "--out", theirs.to_str().unwrap()]).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(fs::read(&theirs).unwrap(), b"GIF89a not ours");
    let ours = tmp.path().join("ours.gif");
    for _ in 0..2 {
        let run = cargo_bin_cmd!("optlab")
            .args(["animate", "saddle", "--out", ours.to_str().unwrap(), "--frames", "20"])
            .output()
            .unwrap();
        assert!(run.status.success(), "a GIF optlab wrote is replaced: {}", String::from_utf8_lossy(&run.stderr));
    }
    let model = cargo_bin_cmd!("optlab")
        .args(["animate", "softmax_classic", "--out", tmp.path().join("m.gif").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(model.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&model.stderr).contains("analytic objective"));
    assert!(!tmp.path().join("m.gif").exists());
}
