"""Reply templates: the defaults, the sandbox, strict variables, user overrides and the CLI."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from responder.cli import cli
from responder.cli_templates import identity_from_env
from responder.compose import Identity, Templates, sample_notification
from responder.errors import ConfigError
from responder.models import LABELS
from responder.templating import (
    DRAFTABLE_LABELS,
    builtin_templates_dir,
    template_name,
    template_variables,
)

DANA = Identity("Dana Reyes", "dana@example.org", phone="+1 555 0142", skype="dana.reyes")
EML = Path(__file__).parent / "corpus" / "eml"
RESPONDER = Path("/work/venv/bin/responder")


@pytest.fixture(scope="module")
def builtin() -> Templates:
    """The built-in templates, loaded once."""
    return Templates.load()


def render(templates: Templates, label: str, identity: Identity = DANA, **changes: object) -> str:
    """Render ``label`` for its sample notification, with ``changes`` to that sample."""
    n = replace(sample_notification(label), **changes)  # type: ignore[arg-type]
    return templates.render(label, template_variables(n, label, identity))


def user_dir(tmp_path: Path, files: dict[str, str]) -> Path:
    """A user templates directory holding ``files``."""
    directory = tmp_path / "mine"
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


# --- the defaults -----------------------------------------------------------------------


def test_every_draftable_label_has_a_template_and_scam_has_none() -> None:
    """One file per label that can be drafted, the shared parts, and no scam template."""
    names = {p.name for p in builtin_templates_dir().iterdir()}
    for label in DRAFTABLE_LABELS:
        assert template_name(label) in names
    assert "scam.txt.j2" not in names
    assert {"_base.txt.j2", "_signature.txt.j2", "_call.txt.j2", "README.md"} <= names
    assert set(DRAFTABLE_LABELS) == set(LABELS) - {"scam"}


def test_the_defaults_pass_their_own_check(builtin: Templates) -> None:
    """check() renders every label with full and sparse samples and finds nothing."""
    assert builtin.check(DANA, DRAFTABLE_LABELS) == []


@pytest.mark.parametrize("label", DRAFTABLE_LABELS)
@pytest.mark.parametrize("sparse", [False, True])
def test_a_default_draft_reads_like_a_person_wrote_it(
    label: str, sparse: bool, builtin: Templates
) -> None:
    """Greeting by name, the call offer, the signature; no placeholder or stray markup."""
    changes: dict[str, object] = {"sender_name": None, "headline": None} if sparse else {}
    text = render(builtin, label, DANA, **changes)
    assert text.startswith("Hello,\n\n" if sparse else "Hi Ines,\n\n")
    assert "+1 555 0142" in text
    assert "dana.reyes" in text
    assert text.endswith("\nBest,\nDana Reyes\n")
    for leftover in ("{{", "{%", "{#", "None", "  ", " ,", "\n\n\n", "Dear Sir", "Madam"):
        assert leftover not in text
    assert len(text.split()) < 140  # short


def test_genuine_quotes_the_topic_and_stale_reconnect_catches_up(builtin: Templates) -> None:
    """The two default drafts differ: one names their topic, the other is a catch-up."""
    genuine = render(builtin, "genuine")
    stale = render(builtin, "stale_reconnect")
    assert "“I read your write-up on replaying compacted topics" in genuine
    assert "“We sat next to each other at the Porto data meetup" in stale
    assert "catching up" in stale
    assert "catching up" not in genuine


def test_bare_invite_does_not_quote_linkedin_s_default_note(builtin: Templates) -> None:
    """LinkedIn's own invitation text is not worth quoting back."""
    text = render(builtin, "bare_invite", ask_text="I'd like to join your LinkedIn network.")
    assert "join your LinkedIn network" not in text


def test_only_the_ways_to_call_that_exist_are_offered(builtin: Templates) -> None:
    """No phone: Skype only; no Skype: phone only; never an empty "on Skype as ."."""
    skype_only = render(builtin, "genuine", replace(DANA, phone=""))
    assert "on Skype as dana.reyes." in skype_only
    assert "phone" not in skype_only
    phone_only = render(builtin, "genuine", replace(DANA, skype=""))
    assert "by phone on +1 555 0142." in phone_only
    assert "Skype" not in phone_only


def test_a_calendar_link_setting_is_offered(builtin: Templates) -> None:
    """RESPONDER_TEMPLATE_CALENDAR_LINK reaches the default text as template.calendar_link."""
    identity = replace(DANA, extra={"CALENDAR_LINK": "https://cal.example.org/dana"})
    text = render(builtin, "stale_reconnect", identity)
    assert "pick a time that suits you here: https://cal.example.org/dana" in text
    assert "two or three times" not in text


def test_a_note_without_greeting_or_a_missing_note_still_reads_well(builtin: Templates) -> None:
    """No ask text: the sentence ends without a quote instead of an empty one."""
    text = render(builtin, "genuine", ask_text=None)
    assert "Thanks for reaching out about this.\n" in text
    assert "“" not in text


# --- check() ----------------------------------------------------------------------------


def test_check_reports_when_there_is_no_way_to_call(builtin: Templates) -> None:
    """Both phone and Skype empty is an error: a draft exists to offer a call."""
    problems = builtin.check(replace(DANA, phone="", skype=" "), ["genuine"])
    assert len(problems) == 1
    assert "RESPONDER_PHONE and RESPONDER_SKYPE" in problems[0]


def test_check_reports_bad_labels_and_a_missing_name(builtin: Templates) -> None:
    """scam, an unknown label and an unsigned draft are each named."""
    problems = builtin.check(replace(DANA, from_name=""), ["scam", "genuin", "genuine"])
    assert any("'scam' is never drafted" in p for p in problems)
    assert any("unknown label 'genuin'" in p for p in problems)
    assert any("RESPONDER_FROM_NAME" in p for p in problems)


def test_a_missing_variable_is_a_check_error_never_an_empty_field(tmp_path: Path) -> None:
    """StrictUndefined: a misspelt name is reported with its file and line."""
    mine = user_dir(tmp_path, {"genuine.txt.j2": "Hi {{ first_name }},\n\n{{ fist_name }}\n"})
    templates = Templates.load(mine)
    problems = templates.check(DANA, ["genuine", "stale_reconnect"])
    assert len(problems) == 1
    assert "'fist_name' is undefined" in problems[0]
    assert f"{mine / 'genuine.txt.j2'}:3" in problems[0]
    with pytest.raises(ConfigError, match="fist_name"):
        render(templates, "genuine")


def test_an_unset_template_extra_is_a_check_error(tmp_path: Path) -> None:
    """``template.NAME`` without its setting is missing, not blank."""
    mine = user_dir(tmp_path, {"_signature.txt.j2": "{{ from_name }}\n{{ template.title }}\n"})
    templates = Templates.load(mine)
    assert any("title" in p for p in templates.check(DANA, ["genuine"]))
    titled = replace(DANA, extra={"title": "Staff Data Engineer"})
    assert templates.check(titled, ["genuine"]) == []
    assert render(templates, "genuine", titled).endswith("Dana Reyes\nStaff Data Engineer\n")


def test_an_unknown_field_is_empty_not_missing(tmp_path: Path) -> None:
    """A headline the mail did not carry is defined and empty, so it is not an error."""
    mine = user_dir(tmp_path, {"genuine.txt.j2": "Hello {{ headline }}{{ full_name }}\n"})
    templates = Templates.load(mine)
    assert templates.check(DANA, ["genuine"]) == []


def test_a_template_rendering_nothing_is_reported(tmp_path: Path) -> None:
    """An empty draft is a problem worth naming."""
    templates = Templates.load(user_dir(tmp_path, {"unclear.txt.j2": "{# nothing #}\n"}))
    assert templates.check(DANA, ["unclear"]) == ["template unclear.txt.j2 renders an empty draft"]


# --- the sandbox ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "probe",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ('{0.__class__}'|attr('format'))(1) }}",
        "{{ '{0.__class__}'.format(1) }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ self.__init__ }}",
        "{{ template.__dict__ }}",
        "{{ extra.__class__ }}",
    ],
)
def test_a_template_reaching_into_python_is_refused(probe: str, tmp_path: Path) -> None:
    """SecurityError inside the sandbox becomes a ConfigError naming the file."""
    mine = user_dir(tmp_path, {"genuine.txt.j2": f"Hi\n{probe}\n"})
    templates = Templates.load(mine)
    with pytest.raises(ConfigError, match=r"genuine\.txt\.j2:2: unsafe template"):
        render(templates, "genuine")
    assert any("unsafe template" in p for p in templates.check(DANA, ["genuine"]))


def test_mail_text_is_never_template_code(builtin: Templates) -> None:
    """A name or note holding template syntax prints literally."""
    text = render(
        builtin, "genuine", sender_name="{{7*7}} Doe", ask_text="{{ 7*7 }} {% for x in y %}"
    )
    assert "Hi {{7*7}}," in text
    assert "“{{ 7*7 }} {% for x in y %}”" in text


def test_a_syntax_error_fails_load_and_names_the_file(tmp_path: Path) -> None:
    """Templates.load compiles every file, so a typo fails at start-up, not at 3 a.m."""
    mine = user_dir(tmp_path, {"pitch.txt.j2": "ok\n{% if phone %}\nno endif\n"})
    with pytest.raises(ConfigError, match=r"pitch\.txt\.j2"):
        Templates.load(mine)


def test_a_missing_user_directory_is_a_config_error(tmp_path: Path) -> None:
    """A wrong RESPONDER_TEMPLATES_DIR is reported, not silently ignored."""
    with pytest.raises(ConfigError, match="does not exist"):
        Templates.load(tmp_path / "nope")


def test_render_refuses_scam_even_with_a_scam_template(tmp_path: Path) -> None:
    """No scam draft, whatever the templates directory holds."""
    templates = Templates.load(user_dir(tmp_path, {"scam.txt.j2": "Hello\n"}))
    assert templates.has("scam")
    with pytest.raises(ConfigError, match="scam"):
        templates.render("scam", {})
    assert templates.check(DANA, ["scam"]) == [
        "label 'scam' is never drafted; remove it from the draft labels"
    ]


# --- overrides and init -----------------------------------------------------------------


def test_a_user_file_overrides_only_that_file(tmp_path: Path, builtin: Templates) -> None:
    """A user _signature changes every label's sign-off and nothing else."""
    mine = user_dir(tmp_path, {"_signature.txt.j2": "Cheers,\n{{ from_first_name }}\n"})
    templates = Templates.load(mine)
    for label in ("genuine", "stale_reconnect"):
        default = render(builtin, label)
        custom = render(templates, label)
        assert custom.endswith("\nCheers,\nDana\n")
        assert custom.removesuffix("Cheers,\nDana\n") == default.removesuffix("Best,\nDana Reyes\n")


def test_a_user_label_template_can_extend_the_built_in_base(tmp_path: Path) -> None:
    """The ChoiceLoader lets a user template extend the defaults it did not copy."""
    body = (
        '{% extends "_base.txt.j2" %}\n{% block message %}\n'
        "Saw your note about {{ ask_quote }}.\n{% endblock %}\n"
    )
    text = render(Templates.load(user_dir(tmp_path, {"genuine.txt.j2": body})), "genuine")
    assert text.startswith("Hi Ines,\n\nSaw your note about I read your write-up")
    assert text.endswith("Best,\nDana Reyes\n")


def test_templates_init_copies_the_defaults(tmp_path: Path, builtin: Templates) -> None:
    """init copies every default; the copy renders exactly like the built-ins."""
    target = tmp_path / "out" / "templates"
    result = CliRunner().invoke(cli, ["templates", "init", str(target)])
    assert result.exit_code == 0, result.output
    copied = sorted(p.name for p in target.iterdir())
    shipped = sorted(
        p.name for p in builtin_templates_dir().iterdir() if p.suffix in (".j2", ".md")
    )
    assert copied == shipped
    copy = Templates.load(target)
    for label in DRAFTABLE_LABELS:
        assert render(copy, label) == render(builtin, label)


def test_templates_init_does_not_overwrite_without_force(tmp_path: Path) -> None:
    """An edited copy is safe from a second init unless --force is given."""
    target = tmp_path / "t"
    runner = CliRunner()
    assert runner.invoke(cli, ["templates", "init", str(target)]).exit_code == 0
    (target / "genuine.txt.j2").write_text("mine\n")
    again = runner.invoke(cli, ["templates", "init", str(target)])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert (target / "genuine.txt.j2").read_text() == "mine\n"
    forced = runner.invoke(cli, ["templates", "init", "--force", str(target)])
    assert forced.exit_code == 0
    assert (target / "genuine.txt.j2").read_text() != "mine\n"


# --- preview ----------------------------------------------------------------------------

PREVIEW_ENV = {
    "RESPONDER_FROM_NAME": "Günther Karotte",
    "RESPONDER_FROM_ADDRESS": "guenther@example.net",
    "RESPONDER_PHONE": "+49 30 5550 1234",
    "RESPONDER_SKYPE": "",
    "RESPONDER_TEMPLATES_DIR": "",
}


def test_preview_prints_the_whole_draft(tmp_path: Path) -> None:
    """Headers and body, decoded, from the built-in sample and the settings in the environment."""
    result = CliRunner().invoke(cli, ["preview", "genuine"], env=PREVIEW_ENV)
    assert result.exit_code == 0, result.output
    head, body = result.output.split("\n\n", 1)
    assert "From: Günther Karotte <guenther@example.net>" in head.splitlines()
    assert "Subject: Re: A question about your write-up" in head.splitlines()
    assert "X-Responder-Draft: 1" in head.splitlines()
    assert re.search(r"^Message-ID: <responder\.[0-9a-f]{32}@example\.net>$", head, re.M)
    assert "Hi Ines," in body
    assert "by phone on +49 30 5550 1234." in body
    assert "Skype" not in body
    assert body.endswith("Best,\nGünther Karotte\n")


def test_preview_raw_is_the_crlf_message(tmp_path: Path) -> None:
    """--raw prints the bytes a pass would store: CRLF and encoded headers."""
    result = CliRunner().invoke(cli, ["preview", "stale_reconnect", "--raw"], env=PREVIEW_ENV)
    assert result.exit_code == 0
    raw = result.stdout_bytes
    assert b"\r\nFrom: =?utf-8?" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_preview_uses_the_user_templates_dir(tmp_path: Path) -> None:
    """RESPONDER_TEMPLATES_DIR takes effect in the preview."""
    mine = user_dir(tmp_path, {"_signature.txt.j2": "Ciao,\n{{ from_first_name }}\n"})
    env = {**PREVIEW_ENV, "RESPONDER_TEMPLATES_DIR": str(mine)}
    result = CliRunner().invoke(cli, ["preview", "genuine"], env=env)
    assert result.output.endswith("Ciao,\nGünther\n")


def test_preview_refuses_scam_unknown_labels_and_no_way_to_call() -> None:
    """Exit 2 for a label that is never drafted or unknown; 1 when nothing can be offered."""
    runner = CliRunner()
    scam = runner.invoke(cli, ["preview", "scam"], env=PREVIEW_ENV)
    assert scam.exit_code == 2
    assert "never drafted" in scam.output
    assert runner.invoke(cli, ["preview", "nonsense"], env=PREVIEW_ENV).exit_code == 2
    nothing = runner.invoke(cli, ["preview", "genuine"], env={**PREVIEW_ENV, "RESPONDER_PHONE": ""})
    assert nothing.exit_code == 1
    assert "RESPONDER_PHONE and RESPONDER_SKYPE" in nothing.output


def test_preview_of_a_corpus_mail() -> None:
    """--eml reads the file as a pass would and drafts a reply to that person."""
    pytest.importorskip("responder.parse")
    eml = EML / "10-inmail-genuine-speaker.eml"
    result = CliRunner().invoke(cli, ["preview", "genuine", "--eml", str(eml)], env=PREVIEW_ENV)
    assert result.exit_code == 0, result.output
    assert "Subject: Re: Speaking invitation: DataDays Lyon 2026" in result.output
    assert "In-Reply-To: <1059037666.78708722.1760087151699@ltx1-app146271" in result.output
    assert "Hi Hélène," in result.output
    assert "I'm on the programme committee for DataDays Lyon" in result.output


def test_preview_runs_as_the_installed_command() -> None:
    """The real entry point prints a draft with the demo identity."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
    done = subprocess.run(
        [str(RESPONDER), "preview", "genuine"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "From: Dana Reyes <dana@example.org>" in done.stdout
    assert "Hi Ines," in done.stdout


def test_identity_from_env() -> None:
    """Demo values fill gaps; a set-but-empty value stays empty; extras are lower-cased."""
    demo = identity_from_env({})
    assert demo.from_name == "Dana Reyes"
    assert demo.phone
    assert demo.skype
    assert not demo.reply_via_relay
    mine = identity_from_env(
        {
            "RESPONDER_SKYPE": "",
            "RESPONDER_TEMPLATE_CALENDAR_LINK": "https://cal.example.org/x",
            "RESPONDER_TEMPLATES_DIR": "/tmp/not-an-extra",
            "RESPONDER_REPLY_VIA_LINKEDIN_RELAY": "true",
        }
    )
    assert mine.skype == ""
    assert dict(mine.extra) == {"calendar_link": "https://cal.example.org/x"}
    assert mine.reply_via_relay


def test_preview_reads_the_env_file_under_the_real_environment(tmp_path: Path) -> None:
    """--env supplies settings; a variable set in the real environment wins over the file."""
    env_file = tmp_path / "responder.env"
    env_file.write_text(
        "RESPONDER_FROM_NAME=Zoë Example\nRESPONDER_PHONE=+44 20 7946 0000\n"
        "RESPONDER_TEMPLATE_CALENDAR_LINK=https://cal.example.org/zoe\n",
        encoding="utf-8",
    )
    env: dict[str, str | None] = {**PREVIEW_ENV, "RESPONDER_FROM_NAME": None}
    result = CliRunner().invoke(cli, ["--env", str(env_file), "preview", "genuine"], env=env)
    assert result.exit_code == 0, result.output
    assert "From: Zoë Example <guenther@example.net>" in result.output
    assert "by phone on +49 30 5550 1234." in result.output
    assert "here: https://cal.example.org/zoe" in result.output
