"""The Lua side of the sandbox (Redis 7.0's scripting environment), loaded once per Lua state.

Kept as Lua source in a Python module so it ships with the package like any other module. See the
comments in the chunk: the user-visible globals, the read-only proxies, the error handler that
attaches the script's line, pcall/xpcall/coroutine.resume handing scripts Redis's error values,
and the ``redis`` table.
"""

PRELUDE = r"""-- The sandbox Redis 7.0 gives scripts, built once per Lua state (chunk name "=miniredis").
--
-- ``api`` holds the Python callbacks. The user-visible globals live in ``U`` (exactly Redis 7.0's
-- list); scripts see them through ``E``, a read-only proxy whose missing keys raise Redis's
-- "nonexistent global variable" error. Library tables are read-only proxies as well, so one
-- script cannot change what the next one sees. Frames of this chunk are skipped when the error
-- handler looks for the user's line, so errors point at the script as Redis's do.
local api = ...
local G = _G
local type, tostring, error, select = type, tostring, error, select
local next, pairs, ipairs = next, pairs, ipairs
local rawget, rawset, setmetatable, pcall, xpcall = rawget, rawset, setmetatable, pcall, xpcall
local setfenv, loadstring, load = setfenv, loadstring, load
local getinfo = debug.getinfo
local INTERNAL = "=miniredis"
local READONLY = "Attempt to modify a readonly table"

local real_of = setmetatable({}, {__mode = "k"})  -- read-only proxy -> the table it shows
local decoy = {}  -- what getmetatable() answers for a protected table

local function deny() error(READONLY, 2) end

local function protect(real)
  local proxy = setmetatable({}, {__index = real, __newindex = deny, __metatable = decoy})
  real_of[proxy] = real
  return proxy
end

local function typename(n, ...)
  if select('#', ...) < n then return 'no value' end
  return type((select(n, ...)))
end

-- "bad argument" as luaL_argerror words it, positioned at the script (``depth`` frames up from here).
local function argerror(n, fname, msg, depth)
  error("bad argument #" .. n .. " to '" .. fname .. "' (" .. msg .. ")", depth or 3)
end

local function checktable(fname, ...)
  local t = ...
  if type(t) ~= 'table' then argerror(1, fname, "table expected, got " .. typename(1, ...), 4) end
  return t
end

-- Redis's error handler: string errors become {err='ERR ...'}, and the script's source and line
-- (the first frame that is neither C nor this chunk) are attached.
local unwrap = api.unwrap
local function handler(err)
  if type(err) == 'userdata' then err = unwrap(err) or err end  -- a redis.* error raised from Python
  local level, info = 2, nil
  while true do
    info = getinfo(level, 'Sl')
    if info == nil or (info.what ~= 'C' and info.source ~= INTERNAL) then break end
    level = level + 1
  end
  local message, counted
  if type(err) == 'table' then
    message, counted = rawget(err, 'err'), rawget(err, 'ignore_error_stats_update')
  else
    message = 'ERR ' .. tostring(err)
  end
  local result = {err = message, ignore_error_stats_update = counted}
  if info ~= nil then
    result.source = info.source
    result.line = info.currentline
  end
  return result
end

local U = {}
for _, name in ipairs({"assert", "collectgarbage", "error", "gcinfo", "getmetatable", "rawequal", "select",
                       "tonumber", "tostring", "type", "unpack", "_VERSION"}) do
  U[name] = G[name]
end
for _, name in ipairs({"coroutine", "math", "string", "table"}) do U[name] = protect(G[name]) end

local E = setmetatable({}, {__index = U, __newindex = deny, __metatable = decoy})
real_of[E] = U
setmetatable(U, {__index = function(_, key)
  error("Script attempted to access nonexistent global variable '" .. tostring(key) .. "'", 2)
end})
U._G = E
U.__redis__err__handler = handler

-- Base functions that must see through the proxies (or refuse to write through them).
U.pairs = function(...)
  local t = ...
  local real = real_of[t]
  if real ~= nil then return next, real, nil end
  return pairs(checktable('pairs', ...))
end
U.ipairs = function(...)
  local t = ...
  local real = real_of[t]
  if real ~= nil then return ipairs(real) end
  return ipairs(checktable('ipairs', ...))
end
U.next = function(...)
  local t, k = ...
  local real = real_of[t]
  if real ~= nil then return next(real, k) end
  return next(checktable('next', ...), k)
end
U.rawget = function(...)
  local t, k = ...
  local real = real_of[t]
  if real ~= nil then return rawget(real, k) end
  return rawget(checktable('rawget', ...), k)
end
U.rawset = function(...)
  local t, k, v = ...
  if real_of[t] ~= nil then error(READONLY, 0) end
  return rawset(checktable('rawset', ...), k, v)
end
U.setmetatable = function(...)
  local t, mt = ...
  if real_of[t] ~= nil then error(READONLY, 0) end
  checktable('setmetatable', ...)
  if mt ~= nil and type(mt) ~= 'table' then argerror(2, 'setmetatable', 'nil or table expected') end
  return setmetatable(t, mt)
end
local function pcall_result(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if type(e) == 'userdata' then
    local original = unwrap(e)  -- an error raised from Python (redis.call, a library)
    if original ~= nil then e = original end
  end
  -- Redis 7.0's pcall hands a script the text of an error raised as a table (redis.call's errors).
  if type(e) == 'table' then
    local message = rawget(e, 'err')
    if type(message) == 'string' then return false, message end
  end
  return false, e
end
U.pcall = function(...)
  if select('#', ...) == 0 then argerror(1, 'pcall', 'value expected') end
  return pcall_result(pcall(...))
end
-- An error raised from Python reaches Lua as a userdata: where a script can see an error value
-- (coroutine.resume, an xpcall handler), it gets what Redis gives, the {err=...} table or string.
local function original_error(e)
  if type(e) == 'userdata' then
    local original = unwrap(e)
    if original ~= nil then return original end
  end
  return e
end
local resume = G.coroutine.resume
local function resume_result(ok, ...)
  if ok then return ok, ... end
  return false, original_error((...))
end
G.coroutine.resume = function(...) return resume_result(resume(...)) end
U.xpcall = function(f, h)
  return xpcall(f, function(e) return h(original_error(e)) end)
end
local function in_sandbox(f, ...)
  if f then setfenv(f, E) end
  return f, ...
end
U.loadstring = function(...) return in_sandbox(loadstring(...)) end
U.load = function(...) return in_sandbox(load(...)) end

-- The redis table. What can raise an error is a Python callable (a C function to Lua): calling it
-- never replaces the caller's frame, even as ``return redis.call(...)``, so the error handler finds
-- the script's line as in Redis, whose redis.call is C. ``type`` reports them as functions.
local R = {}
local callables = {}
for _, name in ipairs({"call", "pcall", "sha1hex", "log", "setresp", "set_repl", "acl_check_cmd"}) do
  R[name] = api[name]
  callables[api[name]] = true
end
U.type = function(...)
  if select('#', ...) == 0 then argerror(1, 'type', 'value expected') end
  local v = ...
  if callables[v] then return 'function' end
  return type(v)
end
local BAD_ARGS = 'ERR wrong number or type of arguments'
R.error_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then return {err = BAD_ARGS} end
  if s:sub(1, 1) ~= '-' then s = '-' .. s end
  if s:find(' ', 1, true) then return {err = s:sub(2)} end
  return {err = 'ERR ' .. s:sub(2)}
end
R.status_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then return {err = BAD_ARGS} end
  return {ok = s}
end
R.replicate_commands = function() return true end
R.breakpoint = function() return false end
R.debug = function() end
R.LOG_DEBUG, R.LOG_VERBOSE, R.LOG_NOTICE, R.LOG_WARNING = 0, 1, 2, 3
R.REPL_NONE, R.REPL_AOF, R.REPL_SLAVE, R.REPL_REPLICA, R.REPL_ALL = 0, 1, 2, 2, 3
R.REDIS_VERSION = api.version
R.REDIS_VERSION_NUM = api.version_num
U.redis = protect(R)

local function add_library(name, lib, functions)
  for _, fname in ipairs(functions) do callables[lib[fname]] = true end  -- Python functions: type() says function
  U[name] = protect(lib)
end

local function compile(body, chunkname)
  local f, message = loadstring(body, chunkname)
  if f then setfenv(f, E) return f end
  return nil, message
end

local function run(f) return xpcall(f, handler) end

-- A {double=n} reply's text, printed by C's %.17g (Python never sees the sign of -0 or of a NaN).
local format = string.format
local function double_text(t)
  local v = t.double
  if type(v) == 'number' then return format('%.17g', v) end
  return nil
end

return U, compile, run, add_library, callables, double_text
"""
