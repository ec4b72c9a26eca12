-- A headless Neovim smoke test of `rolec lsp` with editors/neovim/rolec.lua: open a policy
-- file, receive its diagnostics, go to the definition of a role defined in another file.
-- Run by smoke.sh (with ROLEC_PROJECT, ROLEC_BIN and ROLEC_SNIPPET set); exits 0 on success,
-- else prints what failed and exits 1.

local function fail(message)
  io.stderr:write("neovim smoke test: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local project = os.getenv("ROLEC_PROJECT")
vim.g.rolec_path = os.getenv("ROLEC_BIN")
dofile(os.getenv("ROLEC_SNIPPET"))

vim.cmd("edit " .. vim.fn.fnameescape(project .. "/policies/marketing.roles"))
local buf = vim.api.nvim_get_current_buf()
if vim.bo[buf].filetype ~= "roles" then
  fail("the file type is `" .. vim.bo[buf].filetype .. "`, not `roles`")
end

-- Diagnostics: the unknown permission `webhok` on line 2.
local got = vim.wait(15000, function()
  return #vim.diagnostic.get(buf) > 0
end, 50)
if not got then
  fail("no diagnostics within 15 s (is the server running? " .. #vim.lsp.get_active_clients() .. " clients)")
end
local diagnostic = vim.diagnostic.get(buf)[1]
if not diagnostic.message:find("unknown permission `webhok`", 1, true) then
  fail("unexpected diagnostic: " .. diagnostic.message)
end
if diagnostic.lnum ~= 1 then
  fail("the diagnostic is on line " .. diagnostic.lnum .. ", not 1")
end
io.stdout:write("diagnostics: " .. diagnostic.message:gsub("\n.*", "") .. "\n")

-- Go to the definition of "Sales Lead" (line 2, inside the quotes), defined in sales.roles.
local line = vim.api.nvim_buf_get_lines(buf, 1, 2, false)[1]
local column = line:find("Sales Lead", 1, true)
vim.api.nvim_win_set_cursor(0, { 2, column })
vim.lsp.buf.definition()
local jumped = vim.wait(10000, function()
  return vim.api.nvim_buf_get_name(0):match("sales%.roles$") ~= nil
end, 50)
if not jumped then
  fail("go to definition stayed in " .. vim.api.nvim_buf_get_name(0))
end
local cursor = vim.api.nvim_win_get_cursor(0)
local target = vim.api.nvim_buf_get_lines(0, cursor[1] - 1, cursor[1], false)[1]
if cursor[1] ~= 3 or target:sub(cursor[2] + 1, cursor[2] + 12) ~= '"Sales Lead"' then
  fail("go to definition landed at " .. cursor[1] .. ":" .. cursor[2] .. " on `" .. target .. "`")
end
io.stdout:write("definition: " .. vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ":t") .. ":" .. cursor[1] .. ":" .. cursor[2] .. "\n")
vim.cmd("qall!")
