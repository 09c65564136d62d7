//! Colours that stay apart for colour-blind readers (issue 11): the lifelines' state
//! colours, the timeline's marker colours and the highlight colours, read from
//! static/style.css by their custom property names, in the light and the dark scheme,
//! seen with normal vision and through simulated protanopia, deuteranopia and tritanopia
//! (Machado, Oliveira and Fernandes 2009, severity 1.0, applied in linear RGB), compared
//! by CIEDE2000.
//!
//! Thresholds (ΔE00; about 1 is a just-noticeable difference between two large patches
//! side by side, and the smaller a mark the larger the difference it needs to be seen,
//! Stone, Szafir and Setlur 2014):
//! - lane states, 15: lanes are 11 px high and a state may last a few pixels, so two
//!   states that meet in one lane must differ at a glance, far above the threshold of
//!   seeing; every pair that can meet in a lane (an LWP's states, a process's states, and
//!   each against the empty lane of a freed LWP or a reaped process) is checked.
//! - timeline markers, 15 against the panel and WCAG 1.4.11's 3:1 contrast in normal
//!   vision (every tick must be seen), and 12 between lanes at most two apart in the
//!   lane order (neighbours on screen, even when the lane between is empty), plus faults
//!   against violations. Fifteen kinds cannot all be 12 apart from each other for a
//!   dichromat; each lane is its own row with its name and count written beside it, so
//!   colour only has to separate the rows the eye follows across.
//! - highlights, 5: they fill a whole source line or table cell (large patches) and
//!   each also differs by something other than colour (the changed cell's outline, the
//!   executed line's bar and bold type, the `+`/`−` of new and removed lines, compare
//!   mode's dashed outline and `≠`), so colour only has to be clearly noticeable.

use exitpath::engine::session::MarkerKind;
use std::collections::BTreeMap;

const CSS: &str = include_str!("../static/style.css");

const LANE_MIN: f64 = 15.0;
const MARKER_PANEL_MIN: f64 = 15.0;
const MARKER_CONTRAST_MIN: f64 = 3.0;
const MARKER_NEIGHBOUR_MIN: f64 = 12.0;
const HIGHLIGHT_MIN: f64 = 5.0;

// ---------------------------------------------------------------- the stylesheet

/// `--name: value` of every `:root` rule: (light, dark), dark being the light ones
/// overridden by those in `@media (prefers-color-scheme: dark)`.
fn custom_properties(css: &str) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut text = String::new();
    let mut rest = css;
    while let Some(i) = rest.find("/*") {
        text.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    text.push_str(rest);
    let (mut light, mut dark) = (BTreeMap::new(), BTreeMap::new());
    // The preludes of the blocks we are in, outermost first.
    let mut stack: Vec<String> = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => {
                stack.push(text[start..i].trim().to_string());
                start = i + 1;
            }
            '}' | ';' => {
                let decl = text[start..i].trim();
                if stack.last().is_some_and(|p| p == ":root") {
                    if let Some((name, value)) = decl.split_once(':') {
                        let (name, value) = (name.trim(), value.trim());
                        if name.starts_with("--") {
                            let is_dark = stack.iter().any(|p| {
                                p.starts_with("@media") && p.contains("prefers-color-scheme: dark")
                            });
                            let map = if is_dark { &mut dark } else { &mut light };
                            map.insert(name.to_string(), value.to_string());
                        }
                    }
                }
                if c == '}' {
                    stack.pop();
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    let dark = light
        .iter()
        .map(|(k, v)| (k.clone(), dark.get(k).unwrap_or(v).clone()))
        .collect();
    (light, dark)
}

/// `#rrggbb` or `#rgb` → sRGB in 0..=1.
fn hex(value: &str) -> Option<[f64; 3]> {
    let h = value.strip_prefix('#')?;
    let h: String = match h.len() {
        3 => h.chars().flat_map(|c| [c, c]).collect(),
        6 => h.to_string(),
        _ => return None,
    };
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some([
        f64::from(byte(0)?) / 255.0,
        f64::from(byte(2)?) / 255.0,
        f64::from(byte(4)?) / 255.0,
    ])
}

/// One scheme's palette: a property's colour by name (the test fails on a missing or
/// non-hex one, naming it).
struct Scheme {
    name: &'static str,
    props: BTreeMap<String, String>,
}

impl Scheme {
    fn both() -> [Scheme; 2] {
        let (light, dark) = custom_properties(CSS);
        [
            Scheme {
                name: "light",
                props: light,
            },
            Scheme {
                name: "dark",
                props: dark,
            },
        ]
    }

    fn colour(&self, prop: &str) -> [f64; 3] {
        let v = self
            .props
            .get(prop)
            .unwrap_or_else(|| panic!("static/style.css has no {prop} ({} scheme)", self.name));
        hex(v).unwrap_or_else(|| panic!("{prop}: {v} is not a #rrggbb colour ({})", self.name))
    }
}

// ---------------------------------------------------------------- colour science

fn to_linear(c: f64) -> f64 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

#[derive(Clone, Copy, Debug)]
enum Vision {
    Normal,
    Protanopia,
    Deuteranopia,
    Tritanopia,
}

const VISIONS: [Vision; 4] = [
    Vision::Normal,
    Vision::Protanopia,
    Vision::Deuteranopia,
    Vision::Tritanopia,
];

impl Vision {
    /// Machado, Oliveira and Fernandes (2009), "A physiologically-based model for
    /// simulation of color vision deficiency", severity 1.0, on linear RGB. The same
    /// matrices are in e2e/run.mjs (the simulated screenshots).
    fn matrix(self) -> Option<[[f64; 3]; 3]> {
        match self {
            Vision::Normal => None,
            Vision::Protanopia => Some([
                [0.152286, 1.052583, -0.204868],
                [0.114503, 0.786281, 0.099216],
                [-0.003882, -0.048116, 1.051998],
            ]),
            Vision::Deuteranopia => Some([
                [0.367322, 0.860646, -0.227968],
                [0.280085, 0.672501, 0.047413],
                [-0.011820, 0.042940, 0.968881],
            ]),
            Vision::Tritanopia => Some([
                [1.255528, -0.076749, -0.178779],
                [-0.078411, 0.930809, 0.147602],
                [0.004733, 0.691367, 0.303900],
            ]),
        }
    }

    /// An sRGB colour as this vision sees it, in linear RGB.
    fn see(self, srgb: [f64; 3]) -> [f64; 3] {
        let lin = srgb.map(to_linear);
        match self.matrix() {
            None => lin,
            Some(m) => {
                let row =
                    |r: [f64; 3]| (r[0] * lin[0] + r[1] * lin[1] + r[2] * lin[2]).clamp(0.0, 1.0);
                [row(m[0]), row(m[1]), row(m[2])]
            }
        }
    }
}

/// Linear sRGB → CIELAB (D65).
fn lab(lin: [f64; 3]) -> [f64; 3] {
    let [r, g, b] = lin;
    let x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
    let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
    let z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
    let f = |t: f64| {
        if t > 216.0 / 24389.0 {
            t.cbrt()
        } else {
            (24389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (f(x / 0.95047), f(y), f(z / 1.08883));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIEDE2000 colour difference (Sharma, Wu and Dalal 2005), kL = kC = kH = 1.
fn ciede2000(a: [f64; 3], b: [f64; 3]) -> f64 {
    let ([l1, a1, b1], [l2, a2, b2]) = (a, b);
    let c_bar = (a1.hypot(b1) + a2.hypot(b2)) / 2.0;
    let g = 0.5 * (1.0 - (c_bar.powi(7) / (c_bar.powi(7) + 25f64.powi(7))).sqrt());
    let (a1p, a2p) = ((1.0 + g) * a1, (1.0 + g) * a2);
    let (c1p, c2p) = (a1p.hypot(b1), a2p.hypot(b2));
    let hue = |b: f64, a: f64| {
        if a == 0.0 && b == 0.0 {
            0.0
        } else {
            b.atan2(a).to_degrees().rem_euclid(360.0)
        }
    };
    let (h1p, h2p) = (hue(b1, a1p), hue(b2, a2p));
    let dlp = l2 - l1;
    let dcp = c2p - c1p;
    let dhp = if c1p * c2p == 0.0 {
        0.0
    } else if (h2p - h1p).abs() <= 180.0 {
        h2p - h1p
    } else if h2p <= h1p {
        h2p - h1p + 360.0
    } else {
        h2p - h1p - 360.0
    };
    let d_hp = 2.0 * (c1p * c2p).sqrt() * (dhp.to_radians() / 2.0).sin();
    let lbp = (l1 + l2) / 2.0;
    let cbp = (c1p + c2p) / 2.0;
    let hbp = if c1p * c2p == 0.0 {
        h1p + h2p
    } else if (h1p - h2p).abs() <= 180.0 {
        (h1p + h2p) / 2.0
    } else if h1p + h2p < 360.0 {
        (h1p + h2p + 360.0) / 2.0
    } else {
        (h1p + h2p - 360.0) / 2.0
    };
    let t = 1.0 - 0.17 * (hbp - 30.0).to_radians().cos()
        + 0.24 * (2.0 * hbp).to_radians().cos()
        + 0.32 * (3.0 * hbp + 6.0).to_radians().cos()
        - 0.20 * (4.0 * hbp - 63.0).to_radians().cos();
    let d_theta = 30.0 * (-((hbp - 275.0) / 25.0).powi(2)).exp();
    let rc = 2.0 * (cbp.powi(7) / (cbp.powi(7) + 25f64.powi(7))).sqrt();
    let sl = 1.0 + 0.015 * (lbp - 50.0).powi(2) / (20.0 + (lbp - 50.0).powi(2)).sqrt();
    let sc = 1.0 + 0.045 * cbp;
    let sh = 1.0 + 0.015 * cbp * t;
    let rt = -(2.0 * d_theta).to_radians().sin() * rc;
    ((dlp / sl).powi(2) + (dcp / sc).powi(2) + (d_hp / sh).powi(2) + rt * (dcp / sc) * (d_hp / sh))
        .sqrt()
}

/// ΔE00 between two sRGB colours as `v` sees them.
fn delta(v: Vision, a: [f64; 3], b: [f64; 3]) -> f64 {
    ciede2000(lab(v.see(a)), lab(v.see(b)))
}

/// WCAG 2.1 contrast ratio of two sRGB colours.
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let lum = |c: [f64; 3]| {
        let l = c.map(to_linear);
        0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

// ---------------------------------------------------------------- the checks

/// Every pair in `pairs` at least `min` apart in every vision and scheme; the failures
/// listed together.
fn check_pairs(what: &str, pairs: &[(&str, &str)], min: f64) -> Vec<String> {
    let mut bad = Vec::new();
    for scheme in Scheme::both() {
        for &(a, b) in pairs {
            let (ca, cb) = (scheme.colour(a), scheme.colour(b));
            for v in VISIONS {
                let d = delta(v, ca, cb);
                if d < min {
                    bad.push(format!(
                        "{what}, {} scheme, {v:?}: {a} {} vs {b} {}: ΔE00 {d:.1} < {min}",
                        scheme.name, scheme.props[a], scheme.props[b]
                    ));
                }
            }
        }
    }
    bad
}

fn all_pairs<'a>(names: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut v = Vec::new();
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            v.push((*a, *b));
        }
    }
    v
}

/// An LWP's lane: its states and the empty lane once freed (transparent: the panel).
const LWP_LANE: [&str; 7] = [
    "--panel",
    "--ll-idl",
    "--ll-run",
    "--ll-onproc",
    "--ll-sleep",
    "--ll-dead",
    "--ll-zomb",
];
/// A process's lane: SIDL, SACTIVE, SDEAD, SZOMB, and empty once reaped.
const PROC_LANE: [&str; 5] = [
    "--panel",
    "--ll-idl",
    "--ll-sactive",
    "--ll-dead",
    "--ll-zomb",
];

#[test]
fn lane_states_stay_apart_in_every_vision() {
    let mut pairs = all_pairs(&LWP_LANE);
    pairs.extend(all_pairs(&PROC_LANE));
    pairs.sort();
    pairs.dedup();
    let bad = check_pairs("lifelines", &pairs, LANE_MIN);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_lanes_are_drawn_with_the_checked_properties() {
    for (class, prop) in [
        ("st-idl", "--ll-idl"),
        ("st-run", "--ll-run"),
        ("st-onproc", "--ll-onproc"),
        ("st-sleep", "--ll-sleep"),
        ("st-dead", "--ll-dead"),
        ("st-zomb", "--ll-zomb"),
    ] {
        let rule = format!(".ll-lane rect.{class} {{ fill: var({prop}); }}");
        let alt = format!(".ll-lane rect.{class}, ");
        assert!(
            CSS.contains(&rule)
                || (CSS.contains(&alt) && CSS.contains(&format!("{{ fill: var({prop}); }}"))),
            "the lanes' {class} is not filled with var({prop})"
        );
    }
    assert!(
        CSS.contains(".ll-row:not(.ll-lwp):not(.ll-plot) rect.st-run { fill: var(--ll-sactive); }")
    );
    assert!(CSS.contains(".ll-lane rect.st-freed { fill: transparent; }"));
}

/// Where states meet in a lane, they differ by more than colour: the bar's height (full
/// while alive and awake, lower asleep, thin once dead or a zombie, none once freed),
/// on the page and in the legend. Elsewhere states are written out (the process table's
/// LSRUN, SZOMB...; the legend's names).
#[test]
fn lane_states_differ_by_height_too() {
    assert!(CSS.contains(".ll-lane rect.st-sleep, .ll-key rect.st-sleep { y: 2px; height: 6px; }"));
    assert!(CSS.contains(
        ".ll-lane rect.st-dead, .ll-lane rect.st-zomb, .ll-key rect.st-dead, .ll-key rect.st-zomb { y: 3px; height: 4px; }"
    ));
}

#[test]
fn the_exported_svg_uses_the_pages_light_lane_colours() {
    let [light, _] = Scheme::both();
    for (prop, hex) in exitpath::engine::lifelines_svg::PALETTE {
        assert_eq!(
            light.props.get(prop).map(String::as_str),
            Some(hex),
            "lifelines_svg's {prop} differs from static/style.css"
        );
    }
}

/// The timeline's lanes, top to bottom (the CPU handover lane first, when there is one).
fn marker_order() -> Vec<String> {
    std::iter::once("--k-handover".to_string())
        .chain(MarkerKind::ALL.iter().map(|k| format!("--k-{}", k.id())))
        .collect()
}

#[test]
fn timeline_markers_stand_out_and_neighbours_differ() {
    let order = marker_order();
    let mut bad = Vec::new();
    for scheme in Scheme::both() {
        let panel = scheme.colour("--panel");
        for k in &order {
            let c = scheme.colour(k);
            let cr = contrast(c, panel);
            if cr < MARKER_CONTRAST_MIN {
                bad.push(format!(
                    "{} scheme: {k} {} on the panel: contrast {cr:.2} < {MARKER_CONTRAST_MIN}",
                    scheme.name, scheme.props[k]
                ));
            }
        }
    }
    let against_panel: Vec<(&str, &str)> = order.iter().map(|k| ("--panel", k.as_str())).collect();
    bad.extend(check_pairs(
        "markers against the panel",
        &against_panel,
        MARKER_PANEL_MIN,
    ));
    let mut neighbours: Vec<(&str, &str)> = Vec::new();
    for (i, a) in order.iter().enumerate() {
        for b in order.iter().skip(i + 1).take(2) {
            neighbours.push((a, b));
        }
    }
    neighbours.push(("--k-fault", "--k-violation"));
    bad.extend(check_pairs(
        "neighbouring marker lanes",
        &neighbours,
        MARKER_NEIGHBOUR_MIN,
    ));
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn highlights_stay_apart_in_every_vision() {
    let pairs = [
        // a source listing: plain, executed, new in the patch (or removed by it)
        ("--panel", "--hit-bg"),
        ("--panel", "--new-bg"),
        ("--panel", "--gone-bg"),
        ("--hit-bg", "--new-bg"),
        ("--hit-bg", "--gone-bg"),
        // a table cell changed by the last step; compare mode's differences
        ("--panel", "--chg-bg"),
        ("--panel", "--diff-bg"),
        ("--chg-bg", "--diff-bg"),
    ];
    let bad = check_pairs("highlights", &pairs, HIGHLIGHT_MIN);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The focus outline (`:focus-visible`, 3px of --accent) against what it is drawn on:
/// WCAG 2.1's 3:1 for a focus indicator (1.4.11), in both schemes.
#[test]
fn the_focus_outline_stands_out() {
    assert!(CSS.contains(":focus-visible { outline: 3px solid var(--accent);"));
    for scheme in Scheme::both() {
        for bg in ["--panel", "--bg", "--btn"] {
            let cr = contrast(scheme.colour("--accent"), scheme.colour(bg));
            assert!(
                cr >= 3.0,
                "{} scheme: --accent on {bg}: {cr:.2} < 3",
                scheme.name
            );
        }
    }
}

/// The edges of the fields (drop-down lists, the editor, the share link) are what shows
/// where a field is: WCAG 2.1's 3:1 for user-interface components (1.4.11), against
/// the panel and the page. (Buttons are known by their words.)
#[test]
fn field_edges_stand_out() {
    for scheme in Scheme::both() {
        for bg in ["--panel", "--bg"] {
            let cr = contrast(scheme.colour("--field-line"), scheme.colour(bg));
            assert!(
                cr >= 3.0,
                "{} scheme: --field-line on {bg}: {cr:.2} < 3",
                scheme.name
            );
        }
    }
}

// ---------------------------------------------------------------- the tools themselves

#[test]
fn ciede2000_matches_sharmas_test_data() {
    // Pairs 1, 7, 17 and 25 of Sharma, Wu and Dalal (2005), table 1.
    for (a, b, want) in [
        ([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485], 2.0425),
        ([50.0, 0.0, 0.0], [50.0, -1.0, 2.0], 2.3669),
        ([50.0, 2.5, 0.0], [73.0, 25.0, -18.0], 27.1492),
        (
            [60.2574, -34.0099, 36.2677],
            [60.4626, -34.1751, 39.4387],
            1.2644,
        ),
    ] {
        let got = ciede2000(a, b);
        assert!((got - want).abs() < 1e-4, "{a:?} {b:?}: {got} != {want}");
    }
}

#[test]
fn the_simulations_keep_greys_and_lose_what_they_should() {
    for v in VISIONS {
        // rows sum to 1: greys stay grey
        for g in [0.0, 0.2, 0.5, 1.0] {
            let s = v.see([g, g, g]);
            let l = to_linear(g);
            assert!(
                s.iter().all(|c| (c - l).abs() < 1e-3),
                "{v:?} grey {g}: {s:?}"
            );
        }
    }
    let (red, green, blue) = ([0.8, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.8]);
    // red and green: far apart in normal vision and for tritanopes, close for
    // deuteranopes, closer for protanopes; blue and green: closer only for tritanopes
    assert!(delta(Vision::Normal, red, green) > 60.0);
    assert!(delta(Vision::Tritanopia, red, green) > 60.0);
    assert!(delta(Vision::Deuteranopia, red, green) < 5.0);
    assert!(delta(Vision::Protanopia, red, green) < 25.0);
    assert!(delta(Vision::Tritanopia, blue, green) < 30.0);
    assert!(delta(Vision::Deuteranopia, blue, green) > 60.0);
}

#[test]
fn the_stylesheet_reader_sees_both_schemes() {
    let [light, dark] = Scheme::both();
    assert_eq!(light.props["--panel"], "#ffffff");
    assert_eq!(dark.props["--panel"], "#1b1e23");
    // the late `:root` rules of compare mode count too
    assert!(
        light.props.contains_key("--diff-bg")
            && dark.props["--diff-bg"] != light.props["--diff-bg"]
    );
    assert_eq!(hex("#fff"), Some([1.0, 1.0, 1.0]));
}
