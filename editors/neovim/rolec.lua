-- rolec in Neovim: the `roles` filetype for `*.roles` files, and the language server
-- `rolec lsp` on standard input and output, run by Neovim's own LSP client. Works with
-- Neovim 0.8 and later (`vim.lsp.start`) and with 0.7 (Debian 12's), through the older
-- `vim.lsp.start_client`. Copy this file to ~/.config/nvim/plugin/rolec.lua (Neovim loads
-- it at start-up), or `dofile()` it from init.lua. See docs/editors.md.

-- The rolec program: a name looked up on PATH, or an absolute path (set vim.g.rolec_path
-- before this file runs to change it).
local rolec = vim.g.rolec_path or "rolec"
local uv = vim.uv or vim.loop
local group = vim.api.nvim_create_augroup("rolec", { clear = true })

vim.filetype.add({ extension = { roles = "roles" } })
if vim.fn.has("nvim-0.8") == 0 then
  -- Neovim 0.7 reads vim.filetype.add only with g:do_filetype_lua set.
  vim.api.nvim_create_autocmd({ "BufNewFile", "BufRead" }, {
    group = group,
    pattern = "*.roles",
    command = "setfiletype roles",
  })
end

-- The folder the server works on: the nearest folder above the file that holds rolec.yaml,
-- else the nearest one that holds .git, else the file's own folder.
local function root_dir(path)
  local start = vim.fn.fnamemodify(path, ":p:h")
  for _, marker in ipairs({ "rolec.yaml", ".git" }) do
    local dir = start
    while true do
      if uv.fs_stat(dir .. "/" .. marker) then
        return dir
      end
      local parent = vim.fn.fnamemodify(dir, ":h")
      if parent == dir then
        break
      end
      dir = parent
    end
  end
  return start
end

-- Neovim 0.7: one client per root, started once and attached to each buffer of the root.
local clients = {}

local function start(buf, config)
  if vim.lsp.start then
    vim.lsp.start(config, { bufnr = buf })
    return
  end
  local id = clients[config.root_dir]
  if id == nil or vim.lsp.client_is_stopped(id) then
    id = vim.lsp.start_client(config)
    clients[config.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(buf, id)
  end
end

vim.api.nvim_create_autocmd("FileType", {
  group = group,
  pattern = "roles",
  callback = function(args)
    vim.bo[args.buf].commentstring = "# %s"
    vim.bo[args.buf].comments = ":#"
    vim.bo[args.buf].matchpairs = "(:),[:],{:},<:>"
    local path = vim.api.nvim_buf_get_name(args.buf)
    if path == "" then
      return
    end
    start(args.buf, { name = "rolec", cmd = { rolec, "lsp" }, root_dir = root_dir(path) })
  end,
})
