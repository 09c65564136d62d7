//! Share-link codec (src/link.rs): round trips, the golden format, every error with its
//! message, forward compatibility, size limits, and a deterministic fuzz loop.

use base64::Engine as _;
use exitpath::engine::{Design, Switch};
use exitpath::link::{
    decode, encode, encode_checked, LinkError, LinkErrorKind, LinkState, FRAGMENT_MAX,
    LINK_VERSION, SCENARIO_MAX,
};

const SMALL: &str = "proc parent\n  fork child\n  wait\n  exit 0\n\nproc child\n  exit 0\n";

/// Tiny deterministic generator (xorshift64), so the tests need no rand crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(bytes, 9)
}

/// A link of `v=1&d=patch&z=` with the given raw zlib bytes as its scenario.
fn with_packed(packed: &[u8]) -> String {
    format!("v=1&d=patch&z={}", b64(packed))
}

fn err(fragment: &str) -> LinkError {
    match decode(fragment) {
        Ok(s) => panic!("{fragment:?} decoded to {s:?}, expected an error"),
        Err(e) => e,
    }
}

/// Asserts that `fragment` fails with `kind` and exactly `message`.
fn assert_err(fragment: &str, kind: LinkErrorKind, message: &str) {
    let e = err(fragment);
    assert_eq!(
        e.kind(),
        &kind,
        "kind for {:?}",
        fragment.get(..80).unwrap_or(fragment)
    );
    assert_eq!(e.to_string(), message);
}

fn full_state() -> LinkState {
    LinkState {
        scenario: SMALL.to_string(),
        design: Design::Patch,
        step: 12,
        switches: vec![Switch::NoPmapDeactivate, Switch::DrainInLwpExit2],
        schedule: Default::default(),
        compare: Some(Design::Reaper),
        embed: true,
        builtin: Some("fork-wait-loop".to_string()),
        breakpoints: Vec::new(),
        why: None,
        lesson: None,
        predict: None,
        exercise: None,
    }
}

/// A 10 KB scenario in the real syntax, with comments that vary (so it compresses like
/// a real file, not like a repeated line).
fn big_scenario(bytes: usize) -> String {
    let mut rng = Rng(0x5eed);
    let mut out =
        String::from("# a big scenario: many processes and comments\nuvm_nuarea_max 16\n\n");
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(&format!(
            "proc p{i}   # note {} on run {}\n  fork c{i}\n  sleep {}\n  wait\n  exit {}\n\nproc c{i}\n  exit 0\n\n",
            rng.next() % 100_000,
            rng.next() % 977,
            rng.next() % 50,
            i % 7
        ));
        i += 1;
    }
    out
}

fn assert_round_trip(s: &LinkState) -> String {
    let link = encode_checked(s).expect("encodes");
    assert_eq!(link, encode(s), "encode_checked and encode agree");
    assert_eq!(link, encode(&s.clone()), "encoding is deterministic");
    assert!(link.len() <= FRAGMENT_MAX);
    assert!(
        link.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~,:=&%".contains(&b)),
        "link needs no URL escaping: {link}"
    );
    assert!(link.starts_with("v=1&"), "{link}");
    assert_eq!(decode(&link).as_ref(), Ok(s), "round trip of {link}");
    link
}

#[test]
fn round_trips() {
    // Minimal: no switches, no compare, not embedded, no builtin.
    let minimal = LinkState::new(SMALL, Design::Reaper);
    let link = assert_round_trip(&minimal);
    assert!(link.starts_with("v=1&d=reaper&s=0&z="), "{link}");

    assert_round_trip(&full_state());

    // Every switch, compare with itself, the largest step.
    let mut all = full_state();
    all.switches = Switch::ALL.to_vec();
    all.compare = Some(Design::Patch);
    all.step = u64::MAX;
    all.embed = false;
    assert_round_trip(&all);

    // Unicode in comments, a builtin id with characters that need escaping.
    let mut unicode = LinkState::new(
        "# überprüfen: “zombie” → reaped ✓ 僵尸进程 🧟\nproc p   # ça marche\n  exit 0\n",
        Design::Patch,
    );
    unicode.builtin = Some("my scenario & co = 100% ünïcode/#?".to_string());
    unicode.step = 3;
    assert_round_trip(&unicode);

    // An empty scenario and an empty builtin id are still states.
    let mut empty = LinkState::new("", Design::Reaper);
    empty.builtin = Some(String::new());
    assert_round_trip(&empty);

    // A 10 KB scenario fits comfortably.
    let big = LinkState::new(big_scenario(10_000), Design::Patch);
    assert!(big.scenario.len() >= 10_000);
    let link = assert_round_trip(&big);
    assert!(
        link.len() < FRAGMENT_MAX / 2,
        "10 KB compresses: {} characters",
        link.len()
    );

    // The largest scenario accepted, when it compresses well.
    let max = LinkState::new("a".repeat(SCENARIO_MAX), Design::Patch);
    assert_round_trip(&max);

    // Every built-in scenario.
    for b in exitpath::engine::library::BUILTINS {
        let mut s = LinkState::new(b.text, Design::Patch);
        s.builtin = Some(b.id.to_string());
        assert_round_trip(&s);
    }
}

/// A schedule travels as `r=`, in its canonical text, before `c=`; a damaged one says
/// where; `rr` and no `r=` are round robin; an old reader's link (no `r=`) is unchanged.
#[test]
fn schedules_in_links() {
    use exitpath::engine::schedule::Schedule;
    let mut s = full_state();
    s.schedule = Schedule::parse("0:12,1:3,0").unwrap();
    let link = assert_round_trip(&s);
    assert!(link.contains("&r=0:12,1:3,0&c=reaper&"), "{link}");
    assert_eq!(decode(&link), Ok(s.clone()));
    // %-escaped by a mail client, and the non-canonical spelling
    let escaped = link.replace("r=0:12,1:3,0", "r=0%3A6,0:6%2C1:3,0:1");
    assert_eq!(decode(&escaped), Ok(s.clone()));
    let rr = link.replace("r=0:12,1:3,0", "r=rr");
    assert_eq!(decode(&rr).map(|d| d.schedule), Ok(Schedule::round_robin()));
    let bad = link.replace("r=0:12,1:3,0", "r=0:12,2:3");
    let e = decode(&bad).unwrap_err();
    assert!(
        matches!(e.kind(), LinkErrorKind::BadSchedule { offset: 5, .. }),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "the schedule `r=0:12,2:3` in this link is damaged at character 6: CPU `2` does not exist: a schedule names CPU 0 or 1"
    );
    assert!(matches!(
        decode(&link.replace("&c=", "&r=1&c=")).unwrap_err().kind(),
        LinkErrorKind::Duplicate("r")
    ));
}

/// Breakpoints (`k=`) and the why panel's cell (`q=`): round trip, order, leniency, errors.
#[test]
fn breakpoints_and_the_why_cell_in_links() {
    use exitpath::engine::func::Func;
    let mut s = full_state();
    s.breakpoints = vec![(Func::exit1, 12), (Func::lwp_exit2, 0)];
    s.why = Some("lwp.11.1.l_stat".parse().unwrap());
    let link = assert_round_trip(&s);
    assert!(
        link.contains("&k=exit1:12,lwp_exit2:0&q=lwp.11.1.l_stat&c=reaper&"),
        "{link}"
    );
    // Any order and repeats read as the sorted set; an empty item is skipped.
    let shuffled = link.replace("k=exit1:12,lwp_exit2:0", "k=lwp_exit2:0,,exit1:12,exit1:12");
    assert_eq!(decode(&shuffled), Ok(s.clone()));
    assert_err(
        &link.replace("k=exit1:12", "k=exit9:12"),
        LinkErrorKind::BadBreakpoint("exit9:12".into()),
        "the breakpoint `exit9:12` in this link is not FUNCTION:LINE with a kernel function this version knows",
    );
    assert_err(
        &link.replace("k=exit1:12", "k=exit1:300"),
        LinkErrorKind::BadBreakpoint("exit1:300".into()),
        "the breakpoint `exit1:300` in this link is not FUNCTION:LINE with a kernel function this version knows",
    );
    assert_err(
        &link.replace("q=lwp.11.1.l_stat", "q=lwp.11.l_stat"),
        LinkErrorKind::BadCell("lwp.11.l_stat".into()),
        "the value `q=lwp.11.l_stat` in this link names nothing the why panel knows (cells look like proc.11.p_stat or lwp.11.1.l_stat)",
    );
}

#[test]
fn predict_seed_and_question_round_trip_and_bad_ones_are_named() {
    let mut s = full_state();
    for p in [(0, None), (7, Some(1)), (u64::MAX, Some(u16::MAX))] {
        s.predict = Some(p);
        assert_round_trip(&s);
    }
    s.predict = Some((7, Some(1)));
    let link = assert_round_trip(&s);
    assert!(link.contains("&p=7.2&"), "1-based question: {link}");
    let msg = |v: &str| {
        format!("the Predict value `p={v}` in this link is not SEED or SEED.QUESTION (a whole number, then a question number from 1 to 65536)")
    };
    for bad in ["x", "7.0", "7.65537", "-1", "7.", ".2", "7.2.3"] {
        assert_err(
            &link.replace("p=7.2", &format!("p={bad}")),
            LinkErrorKind::BadPredict(bad.into()),
            &msg(bad),
        );
    }
}

/// The exact link for one small state: the format must not drift unnoticed.
#[test]
fn golden_link() {
    const GOLDEN: &str = "v=1&d=patch&s=12&w=no_pmap_deactivate,drain_in_lwp_exit2&c=reaper&e=1&b=fork-wait-loop&z=eNo1iskJACAMBP-pYkuwJfHAoGgIgpavAX3OIToCxGvqk4A8tCIUbvHC8mwubZ5wRGLnb08eeeITHA";
    assert_eq!(LINK_VERSION, 1);
    assert_eq!(encode(&full_state()), GOLDEN);
    // And the other way, independently of the compressor: this link must open forever.
    assert_eq!(decode(GOLDEN), Ok(full_state()));
    assert_eq!(decode(&format!("#{GOLDEN}\n")), Ok(full_state()));
    // A link packed by another zlib (Python's, level 6) opens too.
    assert_eq!(
        decode("v=1&d=reaper&z=eJwrKMpPVijgUlBIrcgsUTDgAgAr5QSj"),
        Ok(LinkState::new("proc p\n  exit 0\n", Design::Reaper))
    );
}

#[test]
fn forward_compatible_and_lenient_reading() {
    let link = encode(&full_state());
    let (head, z) = link.split_once("&z=").unwrap();

    // Unknown keys anywhere, with or without values, are ignored; so are empty pairs.
    let extended = format!("zz=9&future=a,b&{head}&&flag&y=&z={z}&t=later&");
    assert_eq!(decode(&extended), Ok(full_state()));

    // Keys in any order.
    let mut pairs: Vec<&str> = link.split('&').collect();
    pairs.reverse();
    assert_eq!(decode(&pairs.join("&")), Ok(full_state()));

    // %-escaped values, base64 padding, a leading `#`, whitespace around.
    let escaped = link.replace(',', "%2C").replace("d=patch", "d=%70atch");
    assert_eq!(decode(&escaped), Ok(full_state()));
    let mut padded = link.clone();
    while !(padded.len() - padded.find("&z=").unwrap() - 3).is_multiple_of(4) {
        padded.push('=');
    }
    assert_eq!(decode(&padded), Ok(full_state()));
    assert_eq!(decode(&format!("  #{link} \n")), Ok(full_state()));

    // Optional keys default: no `s` is step 0, `e=0` is no embed, empty `w` no switches.
    let z_small = b64(&zlib(SMALL.as_bytes()));
    let bare = decode(&format!("v=1&d=reaper&w=&e=0&z={z_small}")).unwrap();
    assert_eq!(bare, LinkState::new(SMALL, Design::Reaper));
    let sparse = decode(&format!("v=1&d=patch&w=,no_pmap_deactivate,&z={z_small}")).unwrap();
    assert_eq!(sparse.switches, vec![Switch::NoPmapDeactivate]);
}

#[test]
fn every_error_with_its_message() {
    use LinkErrorKind::*;
    let z = b64(&zlib(SMALL.as_bytes()));

    for empty in ["", "#", "  \n", "# "] {
        assert_err(
            empty,
            Empty,
            "this link is empty: there is nothing after the `#`",
        );
    }
    let long = format!("v=1&{}", "a".repeat(FRAGMENT_MAX));
    assert_err(
        &long,
        FragmentTooLong { len: FRAGMENT_MAX + 4 },
        &format!("this link is too long: its part after the `#` has {} characters, and exitpath reads at most 16384", FRAGMENT_MAX + 4),
    );
    for no_version in [
        format!("d=patch&z={z}"),
        "hello".into(),
        "V=1&d=patch".into(),
    ] {
        assert_err(
            &no_version,
            NoVersion,
            "this is not an exitpath share link: it has no format version (`v=`)",
        );
    }
    for bad in [
        "x",
        "0",
        "-1",
        "",
        "1.0",
        " 1",
        "+1",
        "99999999999999999999999",
    ] {
        assert_err(
            &format!("v={bad}&d=patch&z={z}"),
            BadVersion(bad.to_string()),
            &format!(
                "this link is damaged: its format version `{bad}` is not a positive whole number"
            ),
        );
    }
    // A newer link is reported as such, whatever else it holds.
    assert_err(
        "v=3&d=quantum&s=-&y=new&z=!!",
        NewerVersion(3),
        "this link is from a newer exitpath (format 3); this exitpath reads format 1 and older, so open the link with a newer exitpath",
    );
    assert_err(
        &format!("v=1&d=patch&v=2&z={z}"),
        Duplicate("v"),
        "this link is damaged: `v=` appears more than once",
    );
    assert_err(
        &format!("v=1&d=patch&d=reaper&z={z}"),
        Duplicate("d"),
        "this link is damaged: `d=` appears more than once",
    );
    assert_err(
        &format!("v=1&v=1&d=patch&z={z}"),
        Duplicate("v"),
        "this link is damaged: `v=` appears more than once",
    );
    assert_err(
        &format!("v=1&s=4&z={z}"),
        Missing("d"),
        "this link is damaged: it does not say which design to run (`d=`)",
    );
    assert_err(
        "v=1&d=patch&s=4&w=no_pmap_deactivate",
        Missing("z"),
        "this link was cut short: it has no scenario (`z=`); copy the whole link, up to its last character",
    );
    assert_err(
        &format!("v=1&d=patch&b=ab%2&z={z}"),
        BadEscape("b"),
        "this link is damaged: the value of `b=` has a `%` that is not followed by two hex digits",
    );
    assert_err(
        &format!("v=1&d=patch&b=%zz&z={z}"),
        BadEscape("b"),
        "this link is damaged: the value of `b=` has a `%` that is not followed by two hex digits",
    );
    assert_err(
        &format!("v=1&d=patch&b=%FF%FE&z={z}"),
        BadText("b"),
        "this link is damaged: the value of `b=` is not valid UTF-8 text",
    );
    assert_err(
        &format!("v=1&d=x&z={z}"),
        UnknownDesign("x".into()),
        "unknown design `x` in link (exitpath knows reaper, patch, committed, fixed)",
    );
    assert_err(
        &format!("v=1&d=patch&c=Reaper&z={z}"),
        UnknownDesign("Reaper".into()),
        "unknown design `Reaper` in link (exitpath knows reaper, patch, committed, fixed)",
    );
    // Quoted input is cut and control characters are escaped.
    let e = err(&format!("v=1&d={}%0A&z={z}", "p".repeat(100)));
    assert_eq!(
        e.to_string(),
        format!(
            "unknown design `{}…` in link (exitpath knows reaper, patch, committed, fixed)",
            "p".repeat(40)
        )
    );
    let e = err(&format!("v=1&d=a%0Ab&z={z}"));
    assert_eq!(
        e.to_string(),
        "unknown design `a\\nb` in link (exitpath knows reaper, patch, committed, fixed)"
    );
    assert_err(
        &format!("v=1&d=patch&w=no_pmap_deactivate,warp_drive&z={z}"),
        UnknownSwitch("warp_drive".into()),
        "unknown what-if switch `warp_drive` in link (exitpath knows no_pmap_deactivate, km_free_in_lwp_exit2, no_zombie_orphan_wakeup, drain_in_lwp_exit2, uarea_cache_before_switch_exit, tss_free_before_exit_lwps)",
    );
    for bad in ["-1", "1.5", "", "18446744073709551616", "1e3", "twelve"] {
        assert_err(
            &format!("v=1&d=patch&s={bad}&z={z}"),
            BadStep(bad.into()),
            &format!("the step `{bad}` in this link is not a whole number from 0 to 18446744073709551615"),
        );
    }
    assert_err(
        &format!("v=1&d=patch&e=yes&z={z}"),
        BadEmbed("yes".into()),
        "the embed flag `e=yes` in this link must be `e=0` or `e=1`",
    );
    let cut = "this link was cut short: the scenario in it stops in the middle; copy the whole link, up to its last character";
    assert_err("v=1&d=patch&z=", CutShort, cut);
    assert_err(
        &format!("v=1&d=patch&z={}", &z[..z.len() / 2]),
        CutShort,
        cut,
    );
    let damaged_char =
        "this link is damaged: the scenario (`z=`) has a character that does not belong there";
    assert_err(
        &format!("v=1&d=patch&z=ab!{z}"),
        BadScenarioChar,
        damaged_char,
    );
    assert_err(
        &format!(
            "v=1&d=patch&z={}",
            z.replacen(|c: char| c.is_ascii_alphanumeric(), "+", 1)
        ),
        BadScenarioChar,
        damaged_char,
    );
    assert_err(
        &format!("v=1&d=patch&z=ab=cd{z}"),
        BadScenarioChar,
        damaged_char,
    );
    assert_err(
        &with_packed(&[0, 0, 0, 0, 0, 0]),
        BadScenarioData,
        "this link is damaged: the scenario (`z=`) cannot be unpacked",
    );
    let mut packed = zlib(SMALL.as_bytes());
    let last = packed.len() - 1;
    packed[last] ^= 1;
    assert_err(
        &with_packed(&packed),
        ChecksumMismatch,
        "this link is damaged: the scenario in it does not match its checksum, so the link was changed after it was made",
    );
    // A zip bomb: 8 MiB of zeros pack into a few kilobytes.
    let bomb = with_packed(&zlib(&vec![0u8; 8 * SCENARIO_MAX]));
    assert!(
        bomb.len() < FRAGMENT_MAX,
        "bomb fits in a link: {}",
        bomb.len()
    );
    assert_err(
        &bomb,
        ScenarioUnpacksTooLarge,
        "the scenario in this link unpacks to more than 1024 KiB, the most exitpath accepts",
    );
    // One byte over the limit is refused, the limit itself is fine.
    assert_eq!(
        err(&with_packed(&zlib(&vec![b'a'; SCENARIO_MAX + 1]))).kind(),
        &ScenarioUnpacksTooLarge
    );
    assert_eq!(
        decode(&with_packed(&zlib(&vec![b'a'; SCENARIO_MAX])))
            .unwrap()
            .scenario
            .len(),
        SCENARIO_MAX
    );
    assert_err(
        &with_packed(&zlib(b"proc p\n  exit 0 # \xff\xfe\n")),
        ScenarioNotUtf8,
        "the scenario in this link is not valid UTF-8",
    );
}

#[test]
fn too_large_to_share() {
    // Over the scenario limit.
    let huge = LinkState::new("a".repeat(SCENARIO_MAX + 1), Design::Patch);
    let e = encode_checked(&huge).unwrap_err();
    assert_eq!(
        e.kind(),
        &LinkErrorKind::ScenarioTooLarge {
            bytes: SCENARIO_MAX + 1
        }
    );
    assert_eq!(
        e.to_string(),
        "this scenario is too large to share as a link: it has 1048577 bytes, and a link holds at most 1024 KiB; share the scenario file instead"
    );

    // Within the scenario limit, but it does not compress into a link.
    let mut rng = Rng(42);
    let mut text = String::new();
    while text.len() < 40_000 {
        text.push_str(&format!("# {:016x}{:016x}\n", rng.next(), rng.next()));
    }
    let noisy = LinkState::new(text, Design::Reaper);
    let e = encode_checked(&noisy).unwrap_err();
    let len = encode(&noisy).len();
    assert!(len > FRAGMENT_MAX);
    assert_eq!(e.kind(), &LinkErrorKind::TooLongToShare { len });
    assert_eq!(
        e.to_string(),
        format!("this scenario is too large to share as a link: the link would have {len} characters, and exitpath reads links of at most 16384; make the scenario shorter or share the file instead")
    );
    // encode still produces it, and decode refuses it as too long.
    assert_eq!(
        err(&encode(&noisy)).kind(),
        &LinkErrorKind::FragmentTooLong { len }
    );
}

#[test]
fn every_cut_of_a_link_is_an_error() {
    for state in [
        full_state(),
        LinkState::new(big_scenario(3000), Design::Reaper),
    ] {
        let link = encode(&state);
        let z_at = link.find("&z=").unwrap() + 3;
        for cut in 0..link.len() {
            let e = err(&link[..cut]);
            if cut >= z_at {
                assert_eq!(
                    e.kind(),
                    &LinkErrorKind::CutShort,
                    "cut at {cut} of {}",
                    link.len()
                );
            }
        }
    }
}

/// 200,000 random and mutated fragments: decode never panics, and whatever it accepts
/// re-encodes to a link that decodes to the same state.
#[test]
fn fuzz_decode_never_panics() {
    const ROUNDS: usize = 200_000;
    const ALPHABET: [char; 24] = [
        'v', 'd', 's', 'w', 'c', 'e', 'b', 'z', '=', '&', ',', '%', '#', '1', '0', '9', 'A', 'f',
        '-', '_', '+', ' ', 'é', '\0',
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let seeds: Vec<Vec<char>> = [
        full_state(),
        LinkState::new(SMALL, Design::Reaper),
        LinkState::new(big_scenario(2000), Design::Patch),
        LinkState::new("# ünïcode ✓\n", Design::Patch),
    ]
    .iter()
    .map(|s| encode(s).chars().collect())
    .collect();
    let b64_chars: Vec<char> = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        .chars()
        .collect();
    let (mut ok, mut errors) = (0usize, 0usize);
    for round in 0..ROUNDS {
        let fragment: String = match round % 4 {
            // Random text over the link's own characters and a few strangers.
            0 => (0..rng.below(120)).map(|_| rng.pick(&ALPHABET)).collect(),
            // A valid link with 1 to 4 mutations.
            1 | 2 => {
                let mut f = seeds[rng.below(seeds.len())].clone();
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(f.len() + 1);
                    match rng.below(6) {
                        0 if at < f.len() => f[at] = rng.pick(&ALPHABET),
                        1 if at < f.len() => f[at] = rng.pick(&b64_chars),
                        2 => f.insert(at, rng.pick(&ALPHABET)),
                        3 => f.truncate(at),
                        4 => {
                            let end = (at + rng.below(8)).min(f.len());
                            f.drain(at..end);
                        }
                        _ => {
                            let start = rng.below(f.len() + 1);
                            let end = (start + rng.below(12)).min(f.len());
                            let piece: Vec<char> = f[start..end].to_vec();
                            f.splice(at..at, piece);
                        }
                    }
                }
                f.into_iter().collect()
            }
            // Random bytes behind a zlib header, to get deep into the inflater.
            _ => {
                let mut packed = vec![0x78, 0xDA];
                packed.extend((0..rng.below(64)).map(|_| rng.next() as u8));
                with_packed(&packed)
            }
        };
        match decode(&fragment) {
            Ok(state) => {
                ok += 1;
                assert_eq!(decode(&encode(&state)).as_ref(), Ok(&state), "{fragment:?}");
            }
            Err(e) => {
                errors += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    assert_eq!(ok + errors, ROUNDS);
    assert!(
        ok > 1000,
        "some mutations (unknown keys, switch order...) still decode: {ok}"
    );
    assert!(
        errors > ROUNDS / 2,
        "most random input is refused: {errors}"
    );
}
