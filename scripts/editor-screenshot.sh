#!/usr/bin/env bash
# The screenshot of docs/editors.md: Neovim (Debian's, 0.7) with editors/neovim/rolec.lua on a
# copy of policies/ where "Marketing Manager" gains `mail_private_all` (an `escalation`),
# run in tmux; the hover of the role is opened, the terminal captured with its colours
# (tmux capture-pane -e), drawn as HTML (scripts/ansi-to-html.py) and shot by headless
# Chromium. What the picture shows is what the terminal showed.
# Usage: scripts/editor-screenshot.sh [ROLEC_BINARY] [OUT.png]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
rolec="$(realpath "${1:-$repo/target/release/rolec}")"
out="$(realpath -m "${2:-$repo/docs/editor-hover.png}")"
work="$(mktemp -d)"
session="rolec-shot-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/policies"
printf 'sources: [policies]\n' > "$work/rolec.yaml"
cp "$repo/policies/sales.roles" "$repo/policies/marketing.roles" "$work/policies/"
sed -i 's/^  +mailboxes_marketing +insight$/  +mailboxes_marketing +insight +mail_private_all/' "$work/policies/marketing.roles"
grep -q 'mail_private_all' "$work/policies/marketing.roles"
cat > "$work/init.lua" <<LUA
vim.g.rolec_path = "$rolec"
vim.o.termguicolors = true
vim.o.background = "dark"
vim.o.number = true
vim.o.signcolumn = "yes"
vim.cmd("highlight Normal guifg=#d4d4d4 guibg=#1e1e1e")
vim.cmd("highlight NormalFloat guifg=#d4d4d4 guibg=#2d2d30")
vim.cmd("highlight LineNr guifg=#858585")
dofile("$repo/editors/neovim/rolec.lua")
LUA
tmux new-session -d -s "$session" -x 165 -y 64 \
    "cd '$work' && nvim --clean -n -u '$work/init.lua' policies/marketing.roles"
sleep 3
# The cursor on `"Marketing Manager"` of the first assertion about it, then the hover.
tmux send-keys -t "$session" '26G' '0' '2f"' 'l'
sleep 0.5
tmux send-keys -t "$session" ':lua vim.lsp.buf.hover()' Enter
sleep 2
tmux capture-pane -t "$session" -e -p > "$work/screen.ansi"
grep -q 'custom role' "$work/screen.ansi"
python3 "$repo/scripts/ansi-to-html.py" < "$work/screen.ansi" > "$work/screen.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1370,1060 \
    --screenshot="$out" "file://$work/screen.html" 2>/dev/null
echo "wrote $out"
