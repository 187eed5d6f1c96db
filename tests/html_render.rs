//! The HTML report opened in headless Chromium: the page renders, the ring drawings are in
//! the live DOM, and the screenshot shows them (the members' dots and the arrows' colour are
//! on the image). Needs the Debian `chromium` package, which `.ci/run` installs; skipped
//! with a message elsewhere.

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;

mod common;

fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"].into_iter().find(|name| {
        Process::new("sh").args(["-c", &format!("command -v {name}")]).output().is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        common::skip("chromium is not installed (.ci/run installs the Debian package)");
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

/// The page with the report's Content-Security-Policy removed and a script that records, into
/// the DOM, every element whose content is wider than its box (unless it scrolls or clips on
/// purpose), the position of the verdict banner and whether the texts are there. The report
/// itself carries no script.
fn instrumented(page: &Path) -> std::path::PathBuf {
    let html = std::fs::read_to_string(page).unwrap();
    let start = html.find("<meta http-equiv=\"Content-Security-Policy\"").unwrap();
    let end = start + html[start..].find('>').unwrap() + 1;
    let probe = "<script>window.addEventListener('load',()=>{const bad=[];\
        for(const el of document.querySelectorAll('body *')){const cs=getComputedStyle(el);\
        if(['auto','scroll','hidden'].includes(cs.overflowX))continue;\
        if(el.closest('.scroll')||(el.closest('svg')&&el.tagName!=='svg'))continue;\
        if(el.scrollWidth>el.clientWidth+1&&el.clientWidth>0&&cs.display!=='inline')bad.push(el.tagName+'.'+el.className);}\
        const body=document.body;if(body.scrollWidth>window.innerWidth+1)bad.push('BODY wider than the window');\
        const banner=document.getElementById('verdict');\
        const pre=document.createElement('pre');pre.id='probe';\
        const texts=document.querySelector('table.recommendations');\
        pre.textContent=JSON.stringify({bad,bannerTop:banner?banner.getBoundingClientRect().top:-1,\
        textsBottom:texts?texts.getBoundingClientRect().bottom:-1,\
        marks:document.querySelectorAll('mark').length});body.appendChild(pre);});</script>";
    let probed = format!("{}{}{}", &html[..start], &html[end..], "").replace("</body>", &format!("{probe}</body>"));
    let out = page.with_extension("probed.html");
    std::fs::write(&out, probed).unwrap();
    out
}

#[test]
fn the_check_report_holds_its_layout_at_three_widths() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("check.html");
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .args(["check", "data/sample/recommendations.csv", "--people", "data/sample/employment.csv", "--no-timestamp"])
        .args(["--subject", "Ivan Petrov", "--subject", "Hana Sato", "-q", "--exit-zero"])
        .arg("--report")
        .arg(format!("html={}", page.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let html = std::fs::read_to_string(&page).unwrap();
    // A reader who sees only the first screen learns the verdict and why, and can read both texts.
    assert!(html.find("id=\"verdict\"").unwrap() < html.find("id=\"summary\"").unwrap(), "banner before counts");
    assert!(html.contains("1 fail, 1 pass"));
    assert!(html.contains("returned within 1 day") && html.contains("they never worked at the same company"));
    assert_eq!(html.matches("is a true professional and a pleasure to work with").count(), 2, "both texts");
    // A LinkedIn exports report: long archive paths and entry names in the source column.
    let exports = dir.path().join("exports.html");
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .args([
            "check",
            "tests/fixtures/linkedin/exports",
            "--subject",
            "Ava Stone",
            "--no-timestamp",
            "-q",
            "--exit-zero",
        ])
        .arg("--report")
        .arg(format!("html={}", exports.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    check_layout(browser, &instrumented(&page), 2);
    check_layout(browser, &instrumented(&exports), 0);
    // A large scan: a club of 12 drawn as one ring, 10,000 findings listed (most of them the
    // club's cycles, folded into its ring), every top-level one drawn.
    let net = dir.path().join("net");
    let made = Command::cargo_bin("backscratch")
        .unwrap()
        .args(["generate", "--people", "6000", "--club-size", "12", "--out"])
        .arg(&net)
        .output()
        .unwrap();
    assert_eq!(made.status.code(), Some(0));
    let big = dir.path().join("big.html");
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .arg("scan")
        .arg(net.join("recommendations.csv"))
        .arg("--people")
        .arg(net.join("employment.csv"))
        .args(["--no-timestamp", "-q", "--exit-zero", "--max-cases", "100", "--max-findings", "10000", "--report"])
        .arg(format!("html={}", big.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let html = std::fs::read_to_string(&big).unwrap();
    assert!(html.contains("12 people praise each other"), "the club is one ring of 12");
    assert!(html.matches("<article class=\"finding\"").count() >= 30, "the findings are drawn");
    check_layout(browser, &instrumented(&big), 0);
}

/// At 375, 1280 and 1920 px: no element wider than its box, the banner in the first screen,
/// at least `marks` shared phrases marked.
fn check_layout(browser: &str, probed: &Path, marks: u64) {
    for width in [375, 1280, 1920] {
        let dom = headless(browser, &[&format!("--window-size={width},2000"), "--dump-dom"], probed);
        let dom = String::from_utf8_lossy(&dom.stdout);
        let start = dom.find("<pre id=\"probe\">").unwrap_or_else(|| panic!("no probe at {width}: {dom}")) + 16;
        let end = start + dom[start..].find("</pre>").unwrap();
        let json = dom[start..end].replace("&quot;", "\"").replace("&amp;", "&");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["bad"], serde_json::json!([]), "overflow at {width} px: {}", v["bad"]);
        assert!(v["bannerTop"].as_f64().unwrap() < 200.0, "banner in the first screen at {width} px: {v}");
        assert!(v["marks"].as_u64().unwrap() >= marks, "shared phrases marked: {v}");
    }
}

#[test]
fn the_first_screen_says_that_ivan_fails_why_and_shows_both_texts() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("ivan.html");
    let out = Command::cargo_bin("backscratch")
        .unwrap()
        .args(["check", "data/sample/recommendations.csv", "--people", "data/sample/employment.csv", "--no-timestamp"])
        .args(["--subject", "Ivan Petrov", "-q", "--exit-zero", "--report"])
        .arg(format!("html={}", page.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains(">1 fail</div>"));
    assert!(html.contains("pair with Jade Morgan: no working relationship on record, returned within 1 day"));
    let dom = headless(browser, &["--window-size=1280,1000", "--dump-dom"], &instrumented(&page));
    let dom = String::from_utf8_lossy(&dom.stdout);
    let start = dom.find("<pre id=\"probe\">").unwrap() + 16;
    let end = start + dom[start..].find("</pre>").unwrap();
    let v: serde_json::Value = serde_json::from_str(&dom[start..end].replace("&quot;", "\"")).unwrap();
    let bottom = v["textsBottom"].as_f64().unwrap();
    assert!(bottom > 0.0 && bottom < 1000.0, "both texts within the first 1000 px: {v}");
}
