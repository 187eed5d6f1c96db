//! The HTML report opened in headless Chromium: the page renders, the ring drawings are in
//! the live DOM, and the screenshot shows them (the members' dots and the arrows' colour are
//! on the image). Needs the Debian `chromium` package, which `.ci/run` installs; skipped
//! with a message elsewhere.

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;

fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"].into_iter().find(|name| {
        Process::new("sh").args(["-c", &format!("command -v {name}")]).output().is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "chromium is missing; .ci/run installs it");
        eprintln!("SKIPPED: chromium is not installed (.ci/run installs the Debian package)");
    }
    found
}

fn headless(browser: &str, args: &[&str], page: &Path) -> std::process::Output {
    Process::new("timeout")
        .arg("120")
        .arg(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"])
        .arg("--disable-dev-shm-usage")
        .arg(format!("--user-data-dir={}", page.parent().unwrap().join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

/// Pixels of exactly this colour in an RGB(A) PNG.
fn count_colour(png_path: &Path, rgb: [u8; 3]) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png_path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()].chunks(channels).filter(|p| p[..3] == rgb).count();
    (info.width, info.height, pixels)
}

#[test]
fn html_report_renders_its_ring_drawings_in_chromium() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .args(["scan", "data/sample/recommendations.csv", "--people", "data/sample/employment.csv", "--no-timestamp"])
        .arg("--report")
        .arg(format!("html={}", page.display()))
        .args(["-q", "--exit-zero"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));

    // The DOM Chromium built: three drawings (two rings and a pair), nine arrows, nine members.
    let dom = headless(browser, &["--dump-dom"], &page);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(dom.matches("<svg class=\"ring\"").count(), 3, "{dom}");
    assert_eq!(dom.matches("<path class=\"edge\"").count(), 3 + 4 + 2);
    assert_eq!(dom.matches("<g class=\"member\">").count(), 9);

    // The picture: the page is tall enough to hold the drawings; the members' dots (#2c3e50,
    // used nowhere else) and the high arrows (#c0392b) are on it.
    let shot = dir.path().join("shot.png");
    let taken = headless(browser, &["--window-size=1280,4000", &format!("--screenshot={}", shot.display())], &page);
    assert!(shot.exists(), "no screenshot: {}", String::from_utf8_lossy(&taken.stderr));
    let (width, height, dots) = count_colour(&shot, [0x2c, 0x3e, 0x50]);
    assert_eq!((width, height), (1280, 4000));
    assert!(dots > 9 * 150, "member dots drawn: {dots} pixels");
    let (_, _, arrows) = count_colour(&shot, [0xc0, 0x39, 0x2b]);
    assert!(arrows > 2000, "arrows and badges drawn: {arrows} pixels");
}
