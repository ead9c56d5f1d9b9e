use super::*;

#[test]
fn a_lesson_parses_into_its_steps() {
    let text = "# a class\ntitle Part 1\nsection connect()\nnote connect()가 return되기까지 RTT가 소요된다.\nquiz flags, state\nscenario echo\npause\nquiz off\nscenario refused # the failure\n";
    let lesson = parse(text, "l.txt").expect("parses");
    assert_eq!(lesson.title.as_deref(), Some("Part 1"));
    assert_eq!(
        lesson.steps,
        vec![
            Step::Section("connect()".into()),
            Step::Note("connect()가 return되기까지 RTT가 소요된다.".into()),
            Step::Quiz(vec!["flags", "state"]),
            Step::Scenario {
                name: "echo".into()
            },
            Step::Pause,
            Step::Quiz(vec![]),
            Step::Scenario {
                name: "refused".into()
            },
        ]
    );
}

#[test]
fn mistakes_name_the_line_and_the_fix() {
    let cases = [
        (
            "scenario echoo",
            1,
            "unknown scenario `echoo`; the scenarios are echo, ",
        ),
        ("note", 1, "`note` needs the sentence to show after it"),
        (
            "scenario echo\nquiz maybe",
            2,
            "`maybe` is not a question kind",
        ),
        (
            "scenario echo fast",
            1,
            "a scenario line takes only the scenario's name",
        ),
        ("scenario echo\nplay echo", 2, "unknown directive `play`"),
        (
            "scenario echo\npause now",
            2,
            "`pause` takes nothing after it",
        ),
        ("title only", 0, "the lesson runs no scenario"),
    ];
    for (text, line, says) in cases {
        let e = parse(text, "l.txt").expect_err(text);
        assert_eq!(e.line, line, "{text}");
        assert!(e.to_string().contains(says), "{text}: {e}");
        assert!(e.to_string().starts_with("l.txt"), "{e}");
    }
}

#[test]
fn a_hash_inside_text_is_not_a_comment() {
    let lesson = parse("note C# and #1 stay # this goes\nscenario echo", "l").expect("parses");
    assert_eq!(lesson.steps[0], Step::Note("C# and #1 stay".into()));
}

/// The shipped lesson (examples/) parses and follows the lecture's sections.
#[test]
fn the_shipped_lesson_follows_the_lecture() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lesson-sockets.txt");
    let lesson = read(&path).expect("the shipped lesson parses");
    let sections: Vec<&str> = lesson
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Section(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    for topic in [
        "UTF-8",
        "connect",
        "listen",
        "sendall",
        "b''",
        "record boundar",
        "shutdown",
        "fail",
    ] {
        assert!(
            sections.iter().any(|s| s.contains(topic)),
            "a section about {topic}: {sections:?}"
        );
    }
}
