#!/bin/sh
# The README's pictures: the real binary in tmux (120×40), its screen captured with colours
# (`tmux capture-pane -e -p`), drawn on a dark and on a light terminal background
# (scripts/ansi_to_svg.py), then PNG (rsvg-convert, from librsvg2-bin; Korean needs a CJK font
# such as fonts-noto-cjk). Also echo's handshake and data slides and two stream map slides.
#
#   cargo build && sh scripts/theme_images.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${SOCKVIZ:-$here/target/debug/sockviz}
assets=$here/assets
work=$(mktemp -d)
trap 'tmux kill-session -t sockviz-shots 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin" lab --scenario echo --headless --json --force --record "$work/echo.pcapng" >/dev/null
"$bin" lab --scenario segments --headless --json --force --record "$work/segments.pcapng" >/dev/null
"$bin" lab --scenario coalesce --headless --json --force --record "$work/coalesce.pcapng" >/dev/null

# shot NAME BACKGROUND ENV THEME-ARGS: a screenful of the echo replay at its end.
shot() {
    name=$1 background=$2 envs=$3 theme=$4
    tmux new-session -d -s sockviz-shots -x 120 -y 40 \
        "cd $work && env $envs $bin replay echo.pcapng $theme"
    sleep 1
    tmux send-keys -t sockviz-shots End
    sleep 1
    tmux capture-pane -t sockviz-shots -e -p -N > "$work/$name.ansi"
    tmux send-keys -t sockviz-shots q
    sleep 0.5
    tmux kill-session -t sockviz-shots 2>/dev/null || true
    python3 "$here/scripts/ansi_to_svg.py" --background "$background" < "$work/$name.ansi" > "$work/$name.svg"
    rsvg-convert "$work/$name.svg" -o "$assets/$name.png"
}

# The default: what `sockviz` picks by itself (dark; light where COLORFGBG says the background
# is white, as rxvt, Konsole and iTerm2 set it).
shot theme-default-on-dark dark "TERM=xterm-256color" ""
shot theme-default-on-light light "TERM=xterm-256color 'COLORFGBG=0;15'" ""
# The projector theme, the same picture on both.
shot theme-projector-on-dark dark "TERM=xterm-256color" "--theme contrast"
shot theme-projector-on-light light "TERM=xterm-256color 'COLORFGBG=0;15'" "--theme contrast"

"$bin" export "$work/echo.pcapng" --format svg --phase handshake --force --out "$work/slide.svg"
rsvg-convert "$work/slide.svg" -o "$assets/slide-echo-handshake.png"
"$bin" export "$work/echo.pcapng" --format svg --phase data --force --out "$work/slide-data.svg"
rsvg-convert "$work/slide-data.svg" -o "$assets/slide-echo-data.png"
"$bin" export "$work/segments.pcapng" --format svg --view stream-map --force --out "$work/map.svg"
rsvg-convert "$work/map.svg" -o "$assets/slide-segments-stream-map.png"
"$bin" export "$work/coalesce.pcapng" --format svg --view stream-map --force --out "$work/map2.svg"
rsvg-convert "$work/map2.svg" -o "$assets/slide-coalesce-stream-map.png"
ls -l "$assets"/*.png
