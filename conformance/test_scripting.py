"""Lua scripting against real Redis 7.0.15, byte for byte, in RESP2 and RESP3.

``SCRIPTS`` runs one EVAL/EVAL_RO per case on flushed servers (each case sets up what it needs in
the script itself): conversions both ways in both protocols (integers, truncated numbers, arrays
cut at the first nil, booleans, status and error tables, RESP3 map/set/double/big number/verbatim
with and without ``redis.setresp(3)``), ``redis.call``/``redis.pcall`` errors and their texts and
``script: <sha>, on @user_script:<line>.`` suffixes, commands refused from scripts (``noscript``,
writes from read-only scripts, XREAD BLOCK), the sandbox (read-only globals and libraries, the
nonexistent-global error, the list of globals), the ``redis`` table's helpers and their errors,
the shebang parser, and the cjson, bit, cmsgpack and struct libraries.

Other cases pin the cache (SCRIPT LOAD/EXISTS/FLUSH/HELP, EVALSHA, NOSCRIPT), MULTI, WATCH broken
by a script's write, a blocked client served only after the script that pushed, SELECT inside a
script leaving the caller's db alone, and math.random's generator (seeded here, since its state
is the server's: Redis 7.0 never resets it between scripts).

Pinned Redis 7.0.15 surprises:
- ``error({foo=1})`` (an error table without ``err``) crashes 7.0.15, so no case sends it;
- ``redis.error_reply('x')`` gives ``-ERR x`` but ``redis.error_reply('x y')`` gives ``-x y``;
- ``pcall`` hands scripts the *text* of an error table (``pcall(error, {err='x'})`` gives ``'x'``);
- a Lua ``false`` is a null in a RESP2-mode script but ``:0`` / ``#f`` after ``redis.setresp(3)``;
- ``struct.pack('c5', 'abc')`` reports the string as argument #3.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.harness import Arg, Pair, info_field, wait_blocked

ONE_SHA = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"  # SHA1 of "return 1"

SCRIPTS: list[tuple[Arg, ...]] = [
    ('EVAL', 'return 1', '-1'),
    ('EVAL', 'return 1', '2', 'a'),
    ('EVAL', 'return 1', 'x'),
    ('EVAL', 'return 1.9', '0'),
    ('EVAL', 'return {1,2,nil,3}', '0'),
    ('EVAL', 'return true', '0'),
    ('EVAL', 'return false', '0'),
    ('EVAL', 'return nil', '0'),
    ('EVAL', "return {ok='fine'}", '0'),
    ('EVAL', "return {err='bad thing'}", '0'),
    ('EVAL', "return {err='MYERR bad thing'}", '0'),
    ('EVAL', "return redis.error_reply('x')", '0'),
    ('EVAL', "return redis.status_reply('x')", '0'),
    ('EVAL', 'return {double=3.5}', '0'),
    ('EVAL', 'return {map={a=1}}', '0'),
    ('EVAL', 'return {set={a=true}}', '0'),
    ('EVAL', "return {big_number='123'}", '0'),
    ('EVAL', "return {1.5, 'a', {2}}", '0'),
    ('EVAL', 'x = 1', '0'),
    ('EVAL', 'return y', '0'),
    ('EVAL', "return redis.call('nosuch')", '0'),
    ('EVAL', "return redis.call('get')", '0'),
    ('EVAL', "return redis.pcall('get')", '0'),
    ('EVAL', "return redis.pcall('nosuch')", '0'),
    ('EVAL', "return redis.call('set','k','v')", '0'),
    ('EVAL', "return redis.call('get','k')", '0'),
    ('EVAL', "return redis.call('lpush','k','v')", '0'),
    ('EVAL', "return redis.pcall('lpush','k','v')", '0'),
    ('EVAL', "return type(redis.pcall('lpush','k','v'))", '0'),
    ('EVAL', "error('boom')", '0'),
    ('EVAL', "error({err='boom'})", '0'),
    ('EVAL', "error('boom', 0)", '0'),
    ('EVAL', 'return print', '0'),
    ('EVAL', 'return type(print)', '0'),
    ('EVAL', 'return type(os)', '0'),
    ('EVAL', 'return type(loadstring)', '0'),
    ('EVAL', 'return type(io)', '0'),
    ('EVAL', 'return type(dofile)', '0'),
    ('EVAL', 'return redis.REDIS_VERSION', '0'),
    ('EVAL', 'return redis.REDIS_VERSION_NUM', '0'),
    ('EVAL', 'return type(redis.acl_check_cmd)', '0'),
    ('EVAL', "return redis.acl_check_cmd('get','x')", '0'),
    ('EVAL', "return redis.call('blpop','nol', 0)", '0'),
    ('EVAL', "return redis.call('subscribe','c')", '0'),
    ('EVAL', "return redis.call('eval','return 1', 0)", '0'),
    ('EVAL', 'return {KEYS[1], ARGV[1], #KEYS, #ARGV}', '1', 'a', 'b'),
    ('EVAL_RO', "return redis.call('set','k','v')", '0'),
    ('EVAL', "#!lua flags=no-writes\nreturn redis.call('set','k','v')", '0'),
    ('EVAL', '_G.x = 1', '0'),
    ('EVAL', "rawset(_G, 'x', 1)", '0'),
    ('EVAL', 'redis.call = nil', '0'),
    ('EVAL', 'string.foo = 1', '0'),
    ('EVAL', 'local t = {} t.x = 1 return t.x', '0'),
    ('EVAL', 'setmetatable(_G, nil)', '0'),
    ('EVAL', 'return type(getmetatable(_G))', '0'),
    ('EVAL', 'local x = nil + 1', '0'),
    ('EVAL', 'return nosuch()', '0'),
    ('EVAL', "local function f() error('deep') end\nf()", '0'),
    ('EVAL', "return redis.call('set', 'k')", '0'),
    ('EVAL', 'return redis.call()', '0'),
    ('EVAL', 'return redis.pcall()', '0'),
    ('EVAL', 'return redis.call({})', '0'),
    ('EVAL', "return redis.call('get', {})", '0'),
    ('EVAL', "return redis.call('get', 1.5)", '0'),
    ('EVAL', "return redis.call('set', 'n', 3.0)", '0'),
    ('EVAL', "return redis.call('get', 'n')", '0'),
    ('EVAL', "return redis.call('set', 'n', 0.1)", '0'),
    ('EVAL', "return redis.call('set', 'n', 1e20)", '0'),
    ('EVAL', "return redis.call('get', true)", '0'),
    ('EVAL', "return redis.call('get', nil)", '0'),
    ('EVAL', "return redis.pcall('get', {})", '0'),
    ('EVAL', "return pcall(function() redis.call('nosuch') end)", '0'),
    ('EVAL', "local ok, e = pcall(function() redis.call('nosuch') end) return e", '0'),
    ('EVAL', "local ok, e = pcall(function() redis.call('nosuch') end) return type(e)", '0'),
    ('EVAL', "local ok, e = pcall(function() redis.call('nosuch') end) return e.err", '0'),
    ('EVAL', "local ok, e = pcall(function() error('x') end) return e", '0'),
    ('EVAL', "local e = redis.pcall('nosuch') return e.err", '0'),
    ('EVAL', "local e = redis.pcall('incr', 'kk', 'x') return e", '0'),
    ('EVAL', "redis.call('set','kk','a') local e = redis.pcall('incr', 'kk') return e", '0'),
    ('EVAL', "return redis.pcall('incr', 'kk')", '0'),
    ('EVAL', "local t = redis.pcall('incr', 'kk') return {t}", '0'),
    ('EVAL', "return redis.error_reply('MY x')", '0'),
    ('EVAL', "return redis.error_reply('-MY x')", '0'),
    ('EVAL', "return redis.error_reply('')", '0'),
    ('EVAL', 'return redis.error_reply()', '0'),
    ('EVAL', 'return redis.error_reply(1)', '0'),
    ('EVAL', 'return redis.status_reply()', '0'),
    ('EVAL', 'return {err=1}', '0'),
    ('EVAL', 'return {err={}}', '0'),
    ('EVAL', 'return {ok=1}', '0'),
    ('EVAL', "return {err='a\\r\\nb'}", '0'),
    ('EVAL', "return {ok='a\\r\\nb'}", '0'),
    ('EVAL', "return {err=''}", '0'),
    ('EVAL', "return {err='-X'}", '0'),
    ('EVAL', "return redis.sha1hex('')", '0'),
    ('EVAL', 'return redis.sha1hex()', '0'),
    ('EVAL', 'return redis.sha1hex(1)', '0'),
    ('EVAL', "return redis.log(redis.LOG_WARNING, 'hi')", '0'),
    ('EVAL', 'return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}', '0'),
    ('EVAL', 'return redis.log()', '0'),
    ('EVAL', "return redis.log(99, 'x')", '0'),
    ('EVAL', 'return redis.setresp(4)', '0'),
    ('EVAL', 'return redis.setresp()', '0'),
    ('EVAL', 'return redis.setresp(2)', '0'),
    ('EVAL', 'return redis.replicate_commands()', '0'),
    ('EVAL', 'return redis.set_repl(redis.REPL_ALL)', '0'),
    ('EVAL', 'return redis.set_repl(99)', '0'),
    ('EVAL', 'return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}', '0'),
    ('EVAL', 'return redis.breakpoint()', '0'),
    ('EVAL', "return redis.debug('x')", '0'),
    ('EVAL', "return 'x' .. 1.5", '0'),
    ('EVAL', 'return 3.99999', '0'),
    ('EVAL', 'return -3.7', '0'),
    ('EVAL', 'return 1e300', '0'),
    ('EVAL', 'return 0/0', '0'),
    ('EVAL', "return {1, {2, {3, {4}}}, 'x'}", '0'),
    ('EVAL', 'return {a=1}', '0'),
    ('EVAL', 'return {}', '0'),
    ('EVAL', 'return {false, 1}', '0'),
    ('EVAL', 'return {true, 1}', '0'),
    ('EVAL', 'return function() end', '0'),
    ('EVAL', 'return {function() end}', '0'),
    ('EVAL', "return 'a\\0b'", '0'),
    ('EVAL', 'syntax error here', '0'),
    ('EVAL', 'return', '0'),
    ('EVAL', '', '0'),
    ('EVAL', 'return cjson.encode({1,2,3})', '0'),
    ('EVAL', 'return cjson.encode({a=1})', '0'),
    ('EVAL', 'return type(cmsgpack)', '0'),
    ('EVAL', 'return type(struct)', '0'),
    ('EVAL', 'return type(bit)', '0'),
    ('EVAL', 'return bit.tohex(255)', '0'),
    ('EVAL', "return {double='3.5'}", '0'),
    ('EVAL', 'return {double=1/0}', '0'),
    ('EVAL', 'return {double=0.1}', '0'),
    ('EVAL', 'return {double=3}', '0'),
    ('EVAL', 'return {map={a={1,2}}}', '0'),
    ('EVAL', 'return {set={a=false}}', '0'),
    ('EVAL', "return {verbatim_string={format='txt', string='hi'}}", '0'),
    ('EVAL', "redis.call('hset','h','f','v') return redis.call('hgetall','h')", '0'),
    ('EVAL', "redis.setresp(3) redis.call('hset','h','f','v') return redis.call('hgetall','h')", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('get','nope')", '0'),
    ('EVAL', "redis.setresp(3) return type(redis.call('get','nope'))", '0'),
    ('EVAL', "redis.setresp(3) return {redis.call('get','nope'), 1}", '0'),
    ('EVAL', "redis.setresp(3) redis.call('sadd','s','a') return redis.call('smembers','s')", '0'),
    ('EVAL', "redis.setresp(3) local t = redis.call('smembers','s') return type(t.set)", '0'),
    ('EVAL', "redis.setresp(3) redis.call('zadd','z',1.5,'a') return redis.call('zscore','z','a')", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('zrange','z',0,-1,'withscores')", '0'),
    ('EVAL', "redis.setresp(3) local t = redis.call('zscore','z','a') return {type(t), tostring(t.double)}", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('exists','s')", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('info','keyspace')", '0'),
    ('EVAL', "redis.setresp(3) local t = redis.call('info','keyspace') return type(t)", '0'),
    ('EVAL', "return redis.call('info','keyspace')", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('hello')", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('blpop','nolist',0)", '0'),
    ('EVAL', "return redis.call('blpop','nolist',0)", '0'),
    ('EVAL', "redis.setresp(3) local r = redis.call('blpop','nolist',0) return type(r)", '0'),
    ('EVAL', "return redis.call('zscore','z','a')", '0'),
    ('EVAL', "return redis.call('ping')", '0'),
    ('EVAL', "return redis.call('zrandmember','nokey', 1)", '0'),
    ('EVAL', "return redis.call('command','info','get')", '0'),
    ('EVAL', "local t = {} for k,v in pairs(_G) do t[#t+1] = k .. ':' .. type(v) end table.sort(t) return t", '0'),
    ('EVAL', "local t = {} for k,v in pairs(redis) do t[#t+1] = k .. ':' .. type(v) end table.sort(t) return t", '0'),
    ('EVAL', "local t = {} for k,v in pairs(string) do t[#t+1] = k end table.sort(t) return table.concat(t, ' ')", '0'),
    ('EVAL', "local t = {} for k,v in pairs(math) do t[#t+1] = k end table.sort(t) return table.concat(t, ' ')", '0'),
    ('EVAL', "local t = {} for k,v in pairs(table) do t[#t+1] = k end table.sort(t) return table.concat(t, ' ')", '0'),
    ('EVAL', "local t = {} for k,v in pairs(debug) do t[#t+1] = k end table.sort(t) return table.concat(t, ' ')", '0'),
    ('EVAL', "local t = {} for k,v in pairs(cjson) do t[#t+1] = k .. ':' .. type(v) end table.sort(t) return table.concat(t, ' ')", '0'),  # noqa: E501
    ('EVAL', "local t = {} for k,v in pairs(bit) do t[#t+1] = k end table.sort(t) return table.concat(t, ' ')", '0'),
    ('EVAL', "local t = {} for k,v in pairs(struct) do t[#t+1] = k end table.sort(t) return table.concat(t, ' ')", '0'),
    ('EVAL', "local t = {} for k,v in pairs(cmsgpack) do t[#t+1] = k end table.sort(t) return table.concat(t, ' ')", '0'),  # noqa: E501
    ('EVAL', 'return redis.setresp(3)', '0'),
    ('EVAL', 'redis.setresp(3) return true', '0'),
    ('EVAL', 'redis.setresp(3) return false', '0'),
    ('EVAL', 'return _VERSION', '0'),
    ('EVAL', "return redis.pcall('set', 'k')", '0'),
    ('EVAL', "redis.call('set','kk','a') local ok, e = pcall(function() redis.call('incr','kk') end) return type(e)", '0'),  # noqa: E501
    ('EVAL', "redis.call('set','kk','a') local ok, e = pcall(function() redis.call('incr','kk') end) return e.err", '0'),  # noqa: E501
    ('EVAL', "redis.call('set','kk','a') local ok, e = pcall(function() redis.call('incr','kk') end) local t = {} for k,v in pairs(e) do t[#t+1] = k .. '=' .. tostring(v) end table.sort(t) return t", '0'),  # noqa: E501
    ('EVAL', "local e = redis.pcall('incr','kk') local t = {} for k,v in pairs(e) do t[#t+1] = k .. '=' .. tostring(v) end table.sort(t) return t", '0'),  # noqa: E501
    ('EVAL', "local ok, e = pcall(function() redis.call('nosuch') end) return {ok and 1 or 0, e}", '0'),
    ('EVAL', "local ok, e = pcall(function() error('x') end) return {type(e)}", '0'),
    ('EVAL', "local ok, e = pcall(error, {err='x'}) return e.err", '0'),
    ('EVAL', "redis.call('set','kk','a')\n\nredis.call('incr','kk')", '0'),
    ('EVAL', "redis.call('set','kk','a')\nlocal function f()\nredis.call('incr','kk')\nend\nf()", '0'),
    ('EVAL', "local t = setmetatable({}, {__index=function() error('inner') end})\nreturn t.x", '0'),
    ('EVAL', 'return string.rep()', '0'),
    ('EVAL', "return ('x'):bad()", '0'),
    ('EVAL', "return tostring(1e15) .. ' ' .. tostring(0.1) .. ' ' .. tostring(123456789012345)", '0'),
    ('EVAL', 'error(nil)', '0'),
    ('EVAL', 'error(12)', '0'),
    ('EVAL', 'error()', '0'),
    ('EVAL', 'redis.setresp(3) return nil', '0'),
    ('EVAL', 'redis.setresp(3) return {false, true, nil}', '0'),
    ('EVAL', '#!lua\nreturn 1', '0'),
    ('EVAL', '#!lua flags=\nreturn 1', '0'),
    ('EVAL', '#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1', '0'),
    ('EVAL', '#!lua flags=bad\nreturn 1', '0'),
    ('EVAL', '#!lua flags=no-writes,\nreturn 1', '0'),
    ('EVAL', '#!lua name=x\nreturn 1', '0'),
    ('EVAL', '#!lua  flags=no-writes\nreturn 1', '0'),
    ('EVAL', '#!lua flags=no-writes extra\nreturn 1', '0'),
    ('EVAL', '#!luax\nreturn 1', '0'),
    ('EVAL', '#!js\nreturn 1', '0'),
    ('EVAL', '#!\nreturn 1', '0'),
    ('EVAL', '#!lua', '0'),
    ('EVAL', '#!lua flags=no-writes', '0'),
    ('EVAL', '#!lua\r\nreturn 1', '0'),
    ('EVAL', "#!lua flags=no-writes\nreturn redis.call('get', 'x')", '0'),
    ('EVAL', '#comment\nreturn 1', '0'),
    ('EVAL', 'return 1', '01'),
    ('EVAL', 'return 1', ' 1', 'a'),
    ('EVAL', 'return 1', '99999999999999999999'),
    ('EVAL', 'return #KEYS', '1', ''),
    ('EVAL_RO', 'return 1', '-1'),
    ('EVAL_RO', "return redis.call('lpush','x','y')", '0'),
    ('EVAL_RO', "return redis.pcall('lpush','x','y')", '0'),
    ('EVAL_RO', "return redis.call('publish','x','y')", '0'),
    ('EVAL', "#!lua flags=no-writes\nreturn redis.call('publish','x','y')", '0'),
    ('EVAL', "return redis.call('select', 1)", '0'),
    ('EVAL', "return redis.call('client','id')", '0'),
    ('EVAL', "return redis.call('flushall')", '0'),
    ('EVAL', "return redis.call('multi')", '0'),
    ('EVAL', "return redis.call('exec')", '0'),
    ('EVAL', "return redis.call('watch', 'x')", '0'),
    ('EVAL', "return redis.call('script', 'load', 'return 1')", '0'),
    ('EVAL', "return redis.call('save')", '0'),
    ('EVAL', "return redis.call('auth', 'x')", '0'),
    ('EVAL', "return redis.call('debug', 'sleep', '0')", '0'),
    ('EVAL', "return redis.call('xread', 'block', '0', 'streams', 's', '$')", '0'),
    ('EVAL', "return redis.call('xread', 'streams', 's', '0')", '0'),
    ('EVAL', "return redis.call('wait', '0', '0')", '0'),
    ('EVAL', "return redis.call('spop', 'nos')", '0'),
    ('EVAL', "return redis.call('randomkey')", '0'),
    ('EVAL', "return redis.call('time')[1] ~= nil", '0'),
    ('EVAL', "return redis.call('config', 'get', 'maxmemory')", '0'),
    ('EVAL', "return redis.call('object', 'freq', 'x')", '0'),
    ('EVAL', "return redis.call('config', 'nosub')", '0'),
    ('EVAL', "return redis.call('config')", '0'),
    ('EVAL', "return redis.call('client', 'list')", '0'),
    ('EVAL', "return redis.call('monitor')", '0'),
    ('EVAL_RO', "return redis.call('pfcount','hll')", '0'),
    ('EVAL_RO', "return redis.call('spublish','x','y')", '0'),
    ('EVAL_RO', "return redis.call('ping')", '0'),
    ('EVAL', "return redis.call('xreadgroup', 'group', 'g', 'c', 'block', '0', 'streams', 's', '>')", '0'),
    ('EVAL', "return redis.call('set','a','1','get')", '0'),
    ('EVAL', 'return redis.setresp(3.7)', '0'),
    ('EVAL', "return redis.setresp('3')", '0'),
    ('EVAL', "return redis.setresp('x')", '0'),
    ('EVAL', "return redis.sha1hex('a', 'b')", '0'),
    ('EVAL', 'return redis.log(redis.LOG_WARNING)', '0'),
    ('EVAL', "return redis.log('x', 'y')", '0'),
    ('EVAL', "return redis.log(redis.LOG_WARNING, 'a', 1, {})", '0'),
    ('EVAL', 'return redis.set_repl()', '0'),
    ('EVAL', "return redis.set_repl('x')", '0'),
    ('EVAL', 'return redis.acl_check_cmd()', '0'),
    ('EVAL', "return redis.acl_check_cmd('nosuch')", '0'),
    ('EVAL', "return redis.acl_check_cmd('get')", '0'),
    ('EVAL', 'return redis.acl_check_cmd({})', '0'),
    ('EVAL', "return redis.error_reply('a', 'b')", '0'),
    ('EVAL', 'return redis.status_reply(5)', '0'),
    ('EVAL', "return {err='x', ok='y'}", '0'),
    ('EVAL', "return {ok='y', double=1}", '0'),
    ('EVAL', 'return {map={a=1}, 5}', '0'),
    ('EVAL', "return {5, err='x'}", '0'),
    ('EVAL', 'return {map=5}', '0'),
    ('EVAL', 'return {set=5}', '0'),
    ('EVAL', 'return {big_number=5}', '0'),
    ('EVAL', "return {verbatim_string='x'}", '0'),
    ('EVAL', "return {verbatim_string={string='x'}}", '0'),
    ('EVAL', "return {verbatim_string={format='mkd'}}", '0'),
    ('EVAL', "return {verbatim_string={format='mkd', string=5}}", '0'),
    ('EVAL', 'return {map={[1]=2}}', '0'),
    ('EVAL', 'return {set={1,2}}', '0'),
    ('EVAL', "return {err='x'}", '0'),
    ('EVAL', "return {err='x y'}", '0'),
    ('EVAL', "return redis.error_reply('x').err", '0'),
    ('EVAL', "return redis.error_reply('-x y').err", '0'),
    ('EVAL', "return redis.error_reply('x y').err", '0'),
    ('EVAL', "return redis.status_reply('x y').ok", '0'),
    ('EVAL', "return {redis.error_reply('x')}", '0'),
    ('EVAL', "error('x y', 0)", '0'),
    ('EVAL', "error({err='x'})", '0'),
    ('EVAL', "return redis.pcall('incr', 'x', 'y')", '0'),
    ('EVAL_RO', "return redis.call('blpop', 'x', 0)", '0'),
    ('EVAL', "return redis.call('blmpop', 0, 1, 'l', 'left')", '0'),
    ('EVAL', "return redis.call('bzmpop', 0, 1, 'z', 'min')", '0'),
    ('EVAL', "return redis.call('xread', 'block', 'x', 'streams', 's', '$')", '0'),
    ('EVAL', "return redis.call('xread', 'count', 'x', 'block', '0', 'streams', 's', '$')", '0'),
    ('EVAL', "return redis.call('xread', 'block', '0', 'count', 'x', 'streams', 's', '$')", '0'),
    ('EVAL', "return redis.call('xread', 'block', '0', 'streams', 's')", '0'),
    ('EVAL', "KEYS[1] = 'x' return KEYS[1]", '1', 'a'),
    ('EVAL', 'KEYS = 1', '0'),
    ('EVAL', "return redis.call('set', 'mk', 'v')", '0'),
    ('EVAL', 'local t = {} for i=1,5 do t[i] = i end return t', '0'),
    ('EVAL', 'return {1, 2, 3, nil, 5}', '0'),
    ('EVAL', "return redis.call('hgetall', 'nokey')", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('hgetall', 'nokey')", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('zscore', 'nokey', 'x')", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('lpop', 'nokey', 2)", '0'),
    ('EVAL', "return redis.call('lpop', 'nokey', 2)", '0'),
    ('EVAL', "return {redis.call('lpop', 'nokey', 2)}", '0'),
    ('EVAL', 'return cjson.encode({})', '0'),
    ('EVAL', 'return cjson.encode({1, nil, 3})', '0'),
    ('EVAL', 'return cjson.encode({[1]=1, [20]=2})', '0'),
    ('EVAL', 'return cjson.encode({[1]=1, [4]=2})', '0'),
    ('EVAL', 'return cjson.encode({1, 2, x=3})', '0'),
    ('EVAL', 'return cjson.encode({[1.5]=1})', '0'),
    ('EVAL', 'return cjson.encode({[-1]=1})', '0'),
    ('EVAL', 'return cjson.encode({[true]=1})', '0'),
    ('EVAL', 'return cjson.encode(\'a/b"c\\\\d\\n\\r\\t\\b\\f\\1\\127\\200\')', '0'),
    ('EVAL', 'return cjson.encode(0.1)', '0'),
    ('EVAL', 'return cjson.encode(1/3)', '0'),
    ('EVAL', 'return cjson.encode(1e100)', '0'),
    ('EVAL', 'return cjson.encode(123456789012345678)', '0'),
    ('EVAL', 'return cjson.encode(1/0)', '0'),
    ('EVAL', 'return cjson.encode(0/0)', '0'),
    ('EVAL', 'return cjson.encode(true)', '0'),
    ('EVAL', 'return cjson.encode(nil)', '0'),
    ('EVAL', 'return cjson.encode()', '0'),
    ('EVAL', 'return cjson.encode(1, 2)', '0'),
    ('EVAL', 'return cjson.encode(cjson.null)', '0'),
    ('EVAL', 'return cjson.encode(function() end)', '0'),
    ('EVAL', 'return cjson.encode({f=function() end})', '0'),
    ('EVAL', 'local t = {} t.t = t return cjson.encode(t)', '0'),
    ('EVAL', "return cjson.encode({[1]='a', ['1']='b'})", '0'),
    ('EVAL', 'return cjson.encode({a={b={c={}}}})', '0'),
    ('EVAL', 'return cjson.encode({x=1, y=2, z=3, w=4})', '0'),
    ('EVAL', "return cjson.decode('[1,2,3]')", '0'),
    ('EVAL', 'return cjson.decode(\'{"a":1}\').a', '0'),
    ('EVAL', 'return cjson.decode(\'"x\\\\u00e9\\\\/"\')', '0'),
    ('EVAL', "return cjson.decode('1.5e3')", '0'),
    ('EVAL', "return type(cjson.decode('null'))", '0'),
    ('EVAL', "return cjson.decode('null') == cjson.null", '0'),
    ('EVAL', "return tostring(cjson.decode('[1,null,3]')[2] == cjson.null)", '0'),
    ('EVAL', "return cjson.decode('true')", '0'),
    ('EVAL', "return cjson.decode('')", '0'),
    ('EVAL', "return cjson.decode('x')", '0'),
    ('EVAL', "return cjson.decode('[1,2')", '0'),
    ('EVAL', "return cjson.decode('[1,2]x')", '0'),
    ('EVAL', 'return cjson.decode(\'{"a" 1}\')', '0'),
    ('EVAL', "return cjson.decode('{1:2}')", '0'),
    ('EVAL', "return cjson.decode('[1,]')", '0'),
    ('EVAL', 'return cjson.decode(\'"abc\')', '0'),
    ('EVAL', 'return cjson.decode(\'"\\\\x"\')', '0'),
    ('EVAL', "return cjson.decode('01')", '0'),
    ('EVAL', "return cjson.decode('-')", '0'),
    ('EVAL', "return cjson.decode('  [ 1 , 2 ] ')", '0'),
    ('EVAL', 'return cjson.decode()', '0'),
    ('EVAL', 'return cjson.decode(5)', '0'),
    ('EVAL', 'return cjson.decode({})', '0'),
    ('EVAL', "return cjson.decode('0x10')", '0'),
    ('EVAL', "return cjson.decode('1e500')", '0'),
    ('EVAL', 'return cjson.decode(\'["\\\\ud83d\\\\ude00"]\')[1]', '0'),
    ('EVAL', 'return cjson.encode(cjson.decode(\'{"a":[1,2,{"b":null}],"c":"d"}\'))', '0'),
    ('EVAL', 'return cjson.decode(\'{"a":{}}\').a', '0'),
    ('EVAL', 'return bit.band(0xff, 0x0f)', '0'),
    ('EVAL', 'return bit.bor(1, 2, 4)', '0'),
    ('EVAL', 'return bit.bxor(5, 3)', '0'),
    ('EVAL', 'return bit.bnot(0)', '0'),
    ('EVAL', 'return bit.lshift(1, 31)', '0'),
    ('EVAL', 'return bit.lshift(1, 32)', '0'),
    ('EVAL', 'return bit.rshift(-1, 28)', '0'),
    ('EVAL', 'return bit.arshift(-256, 4)', '0'),
    ('EVAL', 'return bit.tobit(2^32 + 5)', '0'),
    ('EVAL', 'return bit.tobit(1.5)', '0'),
    ('EVAL', 'return bit.tobit(2.5)', '0'),
    ('EVAL', 'return bit.tobit(-1.5)', '0'),
    ('EVAL', 'return bit.tohex(-1)', '0'),
    ('EVAL', 'return bit.tohex(255, -4)', '0'),
    ('EVAL', 'return bit.tohex(255, 2)', '0'),
    ('EVAL', 'return bit.tohex(255, 20)', '0'),
    ('EVAL', 'return bit.rol(0x12345678, 8)', '0'),
    ('EVAL', 'return bit.ror(0x12345678, 8)', '0'),
    ('EVAL', 'return bit.bswap(0x12345678)', '0'),
    ('EVAL', 'return bit.band()', '0'),
    ('EVAL', "return bit.band('x')", '0'),
    ('EVAL', "return bit.band('3', 1)", '0'),
    ('EVAL', 'return bit.tobit()', '0'),
    ('EVAL', 'return bit.lshift(1)', '0'),
    ('EVAL', 'return bit.band(2^53)', '0'),
    ('EVAL', "return cmsgpack.pack(1, -1, 127, 128, 255, 256, 65536, -32, -33, -129, -40000, 2^32, -2^40, 1.5, 0.1, 'abc', true, false, nil)", '0'),  # noqa: E501
    ('EVAL', 'return cmsgpack.pack({1,2,3}, {a=1}, {}, {[1]=1, [3]=3})', '0'),
    ('EVAL', "return cmsgpack.pack(string.rep('x', 40), string.rep('y', 300))", '0'),
    ('EVAL', "return {cmsgpack.unpack(cmsgpack.pack(1, 'a', {1,2,{3}}, true))}", '0'),
    ('EVAL', "local t = cmsgpack.unpack(cmsgpack.pack({a=1, b={c='d'}})) return {t.a, t.b.c}", '0'),
    ('EVAL', "return cmsgpack.unpack('\\193')", '0'),
    ('EVAL', "return cmsgpack.unpack('\\205')", '0'),
    ('EVAL', 'return cmsgpack.pack()', '0'),
    ('EVAL', 'return {cmsgpack.unpack_one(cmsgpack.pack(1, 2))}', '0'),
    ('EVAL', 'return {cmsgpack.unpack_one(cmsgpack.pack(1, 2), 1)}', '0'),
    ('EVAL', 'return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}', '0'),
    ('EVAL', "return {cmsgpack.unpack('')}", '0'),
    ('EVAL', 'return tostring(cmsgpack.unpack(cmsgpack.pack(0.1)))', '0'),
    ('EVAL', 'return tostring(cmsgpack.unpack(cmsgpack.pack(3.4028235e38 * 2)))', '0'),
    ('EVAL', 'return cmsgpack.pack({{{{{{{{{{{{{{{{{{{1}}}}}}}}}}}}}}}}}}})', '0'),
    ('EVAL', "return struct.pack('>I2', 258)", '0'),
    ('EVAL', "return struct.pack('<i', -2)", '0'),
    ('EVAL', "return struct.pack('bBhHlLT', -1, 255, -2, 65535, -3, 4, 5)", '0'),
    ('EVAL', "return struct.pack('s', 'abc')", '0'),
    ('EVAL', "return struct.pack('c5', 'abc')", '0'),
    ('EVAL', "return {struct.unpack('>I2', 'ab')}", '0'),
    ('EVAL', "return {struct.unpack('s', 'abc\\0def')}", '0'),
    ('EVAL', "return {struct.unpack('c2', 'abcdef', 3)}", '0'),
    ('EVAL', "return struct.size('>I2bd')", '0'),
    ('EVAL', "return struct.pack('q', 1)", '0'),
    ('EVAL', "return {struct.unpack('I4', 'ab')}", '0'),
    ('EVAL', "return struct.pack('d', 1.5)", '0'),
    ('EVAL', "return struct.pack('i', 'x')", '0'),
    ('EVAL', "return struct.pack('c2', 'abc')", '0'),
    ('EVAL', "return struct.pack('c0', 'abc')", '0'),
    ('EVAL', "return struct.pack('!4 b i', 1, 2)", '0'),
    ('EVAL', "return {struct.unpack('i', struct.pack('i', 7), 1)}", '0'),
    ('EVAL', "return struct.unpack('i', 'abcd', 3)", '0'),
    ('EVAL', "return struct.pack('f', 0.5)", '0'),
    ('EVAL', "return struct.pack('x b', 1)", '0'),

    ('EVAL', "return loadstring('return 1')()", '0'),
    ('EVAL', "loadstring('x = 1')()", '0'),
    ('EVAL', "local f = loadstring('return y') return f()", '0'),
    ('EVAL', "local co = coroutine.create(function() return redis.call('set', 'k', 'v') end) local ok, r = coroutine.resume(co) return {tostring(ok), r}", '0'),  # noqa: E501
    ('EVAL', "local co = coroutine.wrap(function() coroutine.yield(redis.call('ping')) end) return co()", '0'),
    ('EVAL', "local co = coroutine.create(function() return redis.call('nosuch') end) local ok, r = coroutine.resume(co) return {tostring(ok), type(r)}", '0'),  # noqa: E501
    ('EVAL', 'local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return f(100)', '0'),
    ('EVAL', 'local function f() return 1 + f() end return f()', '0'),
    ('EVAL', 'return unpack({1, 2, 3})', '0'),
    ('EVAL', "return select('#', 1, 2, 3)", '0'),
    ('EVAL', "return string.format('%5.2f|%d|%s|%q', 3.14159, 42, 'x', 'a\\nb')", '0'),
    ('EVAL', 'return tostring(12345678901234567890)', '0'),
    ('EVAL', "return tonumber('0x10')", '0'),
    ('EVAL', 'return #ARGV', '0', 'a', 'b', 'c'),
    ('EVAL', "return redis.call('mget', unpack(KEYS))", '3', 'a', 'b', 'c'),
    ('EVAL', 'local t = {} for i = 1, 1000 do t[i] = i end return t', '0'),
    ('EVAL', "return string.rep('x', 100000)", '0'),
    ('EVAL', "return redis.call('set', 'big', string.rep('x', 10000))", '0'),
    ('EVAL', 'return {1, 2, {3, {4, {5, {6, {7}}}}}}', '0'),
    ('EVAL', 'return {map={a={set={b=true}}}}', '0'),
    ('EVAL', "redis.setresp(3) return redis.call('config', 'get', 'maxmemory')", '0'),
    ('EVAL', "return redis.call('type', 'nokey')", '0'),
    ('EVAL', "return redis.call('type', 'nokey').ok", '0'),
    ('EVAL', "return redis.call('ping').ok", '0'),
    ('EVAL', "return redis.call('object', 'encoding', 'nokey')", '0'),
    ('EVAL', "return redis.call('ttl', 'nokey')", '0'),
    ('EVAL', "redis.call('hset', 'h', 'a', 1, 'b', 2) return redis.call('hgetall', 'h')", '0'),
    ('EVAL', "redis.setresp(3) redis.call('hset', 'h', 'a', 1, 'b', 2) return redis.call('hgetall', 'h')", '0'),
    ('EVAL', "redis.call('zadd', 'z', 1, 'a', 2, 'b') return redis.call('zrange', 'z', 0, -1, 'withscores')", '0'),
    ('EVAL', "redis.setresp(3) redis.call('zadd', 'z', 1, 'a', 2, 'b') return redis.call('zrange', 'z', 0, -1, 'withscores')", '0'),  # noqa: E501
    ('EVAL', "redis.setresp(3) redis.call('zadd', 'z', 1, 'a') local r = redis.call('zrange', 'z', 0, -1, 'withscores') return r[1][2].double", '0'),  # noqa: E501
    ('EVAL', "redis.call('xadd', 's', '1-1', 'f', 'v') return redis.call('xrange', 's', '-', '+')", '0'),
    ('EVAL', "redis.setresp(3) redis.call('xadd', 's', '1-1', 'f', 'v') return redis.call('xinfo', 'stream', 's')", '0'),  # noqa: E501
    ('EVAL', "redis.call('xadd', 's', '1-1', 'f', 'v') return redis.call('xinfo', 'stream', 's')", '0'),
    ('EVAL', "redis.setresp(3) redis.call('sadd', 's', 'a') return redis.call('smismember', 's', 'a', 'b')", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('command', 'count') > 0", '0'),
    ('EVAL', "redis.setresp(3) redis.call('set', 'k', 'v') return redis.call('object', 'encoding', 'k')", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('lpos', 'nokey', 'x')", '0'),
    ('EVAL', "return redis.call('incrbyfloat', 'f', '1.5')", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('incrbyfloat', 'f', '1.5')", '0'),
    ('EVAL', "redis.setresp(3) redis.call('hset', 'h', 'a', 1) return redis.call('hrandfield', 'h', 1, 'withvalues')", '0'),  # noqa: E501
    ('EVAL', "return redis.call('exists', 'a', 'b')", '0'),
    ('EVAL', "return redis.call('set', 'k', 'v', 'get')", '0'),
    ('EVAL', "redis.setresp(3) return redis.call('zscore', 'z', 'nope')", '0'),
    ('EVAL', "redis.setresp(3) return {redis.call('zmscore', 'z', 'a', 'nope')}", '0'),
    ('EVAL', "redis.call('lpush', 'l', 'a') return redis.call('lpop', 'l', 5)", '0'),
    ('EVAL', "return redis.call('echo', 'hi')", '0'),
    ('EVAL', "return redis.call('dbsize')", '0'),
    ('EVAL', "return redis.call('time')[3]", '0'),
    ('EVAL', "return redis.call('publish', 'ch', 'msg')", '0'),
    ('EVAL', "return redis.call('spublish', 'ch', 'msg')", '0'),
    ('EVAL', "return redis.call('pubsub', 'channels')", '0'),
    ('EVAL', "return redis.call('swapdb', 0, 1)", '0'),
    ('EVAL', "return redis.call('flushdb')", '0'),
    ('EVAL', "return redis.call('info', 'nosuchsection')", '0'),
    ('EVAL', "return redis.call('lastsave') > 0", '0'),
    ('EVAL', "return redis.call('role')", '0'),
    ('EVAL', "return redis.call('client', 'info')", '0'),
    ('EVAL', "return redis.call('ping', 'x')", '0'),
    ('EVAL', "return redis.call('quit')", '0'),
    ('EVAL', "return redis.call('reset')", '0'),
    ('EVAL', "return redis.call('select', 'x')", '0'),
    ('EVAL', "return redis.call('expire', 'nokey', 10)", '0'),
    ('EVAL', "redis.call('set', 'k', 'v') return redis.call('getex', 'k', 'ex', 100)", '0'),
    ('EVAL', "redis.call('set', 'k', 'v') return redis.call('copy', 'k', 'k2')", '0'),
    ('EVAL', "redis.call('set', 'k', 'v') return redis.call('move', 'k', 1)", '0'),
    ('EVAL', "local ok, e = xpcall(function() redis.call('nosuch') end, function(m) return m end) return {tostring(ok), type(e), e.err}", '0'),  # noqa: E501
    ('EVAL', "local ok, e = xpcall(function() error('plain') end, function(m) return m end) return e", '0'),
    ('EVAL', 'local ok, e = xpcall(function() return 5 end, function(m) return m end) return e', '0'),
    ('EVAL', "local ok, e = xpcall(function() cjson.decode('x') end, function(m) return m end) return e", '0'),
    ('EVAL', "local ok, e = pcall(cjson.decode, 'x') return e", '0'),
    ('EVAL', "local ok, e = pcall(function() return cjson.decode('x') end) return e", '0'),
    ('EVAL', "local co = coroutine.create(function() return redis.call('nosuch') end) local ok, r = coroutine.resume(co) return r.err", '0'),  # noqa: E501
    ('EVAL', "redis.call('set', 'n', 2^53) return redis.call('get', 'n')", '0'),
    ('EVAL', "redis.call('set', 'n', 1e17) return redis.call('get', 'n')", '0'),
    ('EVAL', "redis.call('set', 'n', 123456789012) return redis.call('get', 'n')", '0'),
    ('EVAL', "redis.call('set', 'n', -0.5) return redis.call('get', 'n')", '0'),
    ('EVAL', "redis.call('set', 'n', 1/0) return redis.call('get', 'n')", '0'),
    ('EVAL', "redis.call('set', 'n', -1/0) return redis.call('get', 'n')", '0'),
    ('EVAL', "redis.call('set', 'n', 0/0) return redis.call('get', 'n')", '0'),
    ('EVAL', 'return -0', '0'),
    ('EVAL', 'return 2^63', '0'),
    ('EVAL', 'return -2^63', '0'),
    ('EVAL', 'return 2^62', '0'),
    ('EVAL', 'return {double=-0}', '0'),
    ('EVAL', 'return {double=0/0}', '0'),
    ('EVAL', 'return {double=-1/0}', '0'),
    ('EVAL', 'return {double=1e300}', '0'),
    ('EVAL', 'return {double=123456789.123}', '0'),
    ('EVAL', 'return redis.sha1hex(1.5)', '0'),
    ('EVAL', 'return redis.sha1hex(nil)', '0'),
    ('EVAL', "return redis.call('incrbyfloat', 'f', 0.1)", '0'),
    ('EVAL', "return tostring(redis.call('incr', 'i'))", '0'),
    ('EVAL', "return {err='x', double=1}", '0'),
    ('EVAL', "return {big_number='1\\r\\n2'}", '0'),
    ('EVAL', "return {verbatim_string={format='txtx', string='a'}}", '0'),
    ('EVAL', "return {verbatim_string={format='mkd', string='a\\r\\nb'}}", '0'),
    ('EVAL', 'return {map={[true]=1}}', '0'),
    ('EVAL', 'return {map={[{1}]=1}}', '0'),
    ('EVAL', 'return {set={[false]=1}}', '0'),
    ('EVAL', "return {1, {err='e'}, {ok='o'}, {double=2.5}}", '0'),
]


@pytest.mark.parametrize("argv", SCRIPTS, ids=[str(index) for index in range(len(SCRIPTS))])
def test_script_replies(pairs: Pair, argv: tuple[Arg, ...]) -> None:
    pairs.check(*argv)


NEGATIVE_ZERO = "lupa hands a Lua -0 to Python as the integer 0, so the sign is lost on the way to Python"


@pytest.mark.xfail(strict=True, reason=NEGATIVE_ZERO)
def test_cjson_negative_zero(pair: Pair) -> None:
    pair.check("EVAL", "return cjson.encode(-0)", "0")


@pytest.mark.xfail(strict=True, reason=NEGATIVE_ZERO)
def test_negative_zero_argument(pair: Pair) -> None:
    pair.check("EVAL", "redis.call('set', 'n', -0) return redis.call('get', 'n')", "0")


def test_math_random_sequence(pairs: Pair) -> None:
    script = "math.randomseed(7) local t = {} for i = 1, 5 do t[i] = math.random(1000) end " \
             "t[6] = tostring(math.random()) t[7] = math.random(3, 9) return t"
    pairs.check("EVAL", script, "0")
    pairs.check("EVAL", "return tostring(math.random())", "0")
    pairs.check("EVAL", "return math.random(0)", "0")
    pairs.check("EVAL", "return math.random(5, 1)", "0")
    pairs.check("EVAL", "return math.random(1, 2, 3)", "0")


def test_script_cache(pairs: Pair) -> None:
    pairs.check("SCRIPT", "FLUSH")
    pairs.check("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0")
    pairs.check("SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "nope")
    pairs.check("SCRIPT", "LOAD", "return 1")
    pairs.check("SCRIPT", "EXISTS", ONE_SHA, ONE_SHA.upper())
    pairs.check("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0")
    pairs.check("EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0")
    pairs.check("EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0")
    pairs.check("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "1")
    pairs.check("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "-1")
    pairs.check("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "x")
    pairs.check("EVALSHA", "short", "0")
    pairs.check("EVAL", "return 2", "0")
    pairs.check("SCRIPT", "EXISTS", "7f923f79fe76194c868d7e1d0820de36700eb649")
    pairs.check("EVAL", "return redis.call('incr', KEYS[1])", "1", "counter")
    pairs.check("EVALSHA", "d7e5c7a4f68ff9c32eea16d4ec2d4b58c1b8e0e9", "1", "counter")
    pairs.check("SCRIPT", "LOAD", "syntax error")
    pairs.check("SCRIPT", "LOAD", "#!lua flags=bad\nreturn 1")
    pairs.check("SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 1")
    pairs.check("SCRIPT", "FLUSH", "ASYNC")
    pairs.check("SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    pairs.check("SCRIPT", "FLUSH", "SYNC")
    pairs.check("SCRIPT", "FLUSH", "sync")
    pairs.check("SCRIPT", "FLUSH", "x")
    pairs.check("SCRIPT", "FLUSH", "SYNC", "x")
    pairs.check("SCRIPT", "HELP")
    pairs.check("SCRIPT", "help")
    pairs.check("SCRIPT", "HELP", "x")
    pairs.check("SCRIPT", "LOAD")
    pairs.check("SCRIPT", "EXISTS")
    pairs.check("SCRIPT", "NOPE")
    pairs.check("SCRIPT")
    pairs.check("EVAL", "return 1")
    pairs.check("EVALSHA", "x")


def test_errorstats_and_commandstats(pair: Pair) -> None:
    """Errors of commands run by a script count once in errorstats (Redis's ignore_error_stats_update)."""
    pair.check("CONFIG", "RESETSTAT")
    pair.check("SET", "s", "a")
    pair.check("EVAL", "return redis.call('incr', 's')", "0")
    pair.check("EVAL", "return redis.pcall('incr', 's')", "0")
    pair.check("EVAL", "local e = redis.pcall('incr', 's') return 1", "0")
    pair.check("EVAL", "error('x')", "0")
    pair.check("EVAL", "return {err='MY x'}", "0")
    pair.check("EVAL", "return redis.call('nosuch')", "0")
    pair.check("INFO", "errorstats")
    for field in ("cmdstat_eval", "cmdstat_incr"):
        real = info_field(pair.real, "commandstats", field)
        mini = info_field(pair.mini, "commandstats", field)
        assert real is not None and mini is not None
        # calls/failed_calls must agree; usec is timing
        assert real.split(b",")[0] == mini.split(b",")[0], (real, mini)
        assert real.split(b",")[-1] == mini.split(b",")[-1], (real, mini)


def test_monitor_shows_script_commands(pair_factory: Callable[..., Pair]) -> None:
    monitor, client = pair_factory(), pair_factory()
    monitor.check("MONITOR")
    client.check("EVAL", "redis.call('set', 'a', '1') return redis.call('get', 'a')", "0")
    client.check("EVAL", "return 1", "x")
    client.check("EVAL_RO", "redis.call('select', 2) return redis.call('get', KEYS[1])", "1", "a")
    for _ in range(6):
        real, mini = monitor.real.read_reply(), monitor.mini.read_reply()
        assert real is not None and mini is not None
        # "+<time> [<db> <addr>] args": the time and the client's port differ
        real_line, mini_line = real.split(b" ", 1)[1], mini.split(b" ", 1)[1]
        if not real_line.startswith(b"[0 lua]") and not real_line.startswith(b"[2 lua]"):
            real_line, mini_line = real_line.split(b"]", 1)[1], mini_line.split(b"]", 1)[1]
        assert real_line == mini_line, (real, mini)


def test_cached_scripts_in_info(pair: Pair) -> None:
    pair.check("SCRIPT", "FLUSH")
    assert info_field(pair.real, "memory", "number_of_cached_scripts") == b"0"
    assert info_field(pair.mini, "memory", "number_of_cached_scripts") == b"0"
    pair.check("EVAL", "return 1", "0")
    pair.check("SCRIPT", "LOAD", "return 2")
    pair.check("EVAL", "return 1", "0")
    assert info_field(pair.real, "memory", "number_of_cached_scripts") == b"2"
    assert info_field(pair.mini, "memory", "number_of_cached_scripts") == b"2"


def test_select_inside_script_keeps_callers_db(pairs: Pair) -> None:
    pairs.check("EVAL", "redis.call('select', 3) redis.call('set', 'k', 'in3') return redis.call('get', 'k')", "0")
    pairs.check("GET", "k")
    pairs.check("SELECT", "3")
    pairs.check("GET", "k")
    pairs.check("EVAL", "return redis.call('get', 'k')", "0")
    pairs.check("EVAL", "return redis.call('select', 99)", "0")
    pairs.check("SELECT", "0")


def test_eval_inside_multi(pairs: Pair) -> None:
    pairs.check("MULTI")
    pairs.check("EVAL", "return redis.call('set', 'k', 'v')", "0")
    pairs.check("EVAL", "return redis.call('lpush', 'k', 'x')", "0")
    pairs.check("EVAL", "return {redis.call('get', 'k'), ARGV[1]}", "0", "a")
    pairs.check("EVAL", "return 1", "x")
    pairs.check("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0")
    pairs.check("EXEC")
    pairs.check("MULTI")
    pairs.check("EVAL", "return 1")
    pairs.check("EXEC")


def test_blocking_commands_from_scripts(pairs: Pair) -> None:
    pairs.check("EVAL", "return redis.call('blmpop', 0, 1, 'l', 'left')", "0")
    pairs.check("EVAL", "return redis.call('bzmpop', 0, 1, 'z', 'min')", "0")
    pairs.check("EVAL", "redis.call('rpush', 'l', 'a') return redis.call('blmpop', 0, 1, 'l', 'left')", "0")
    pairs.check("EVAL", "return redis.call('blpop', 'l', 0)", "0")
    pairs.check("EVAL", "return redis.pcall('brpoplpush', 'l', 'm', 0)", "0")
    pairs.check("EVAL", "redis.call('xadd', 's', '1-1', 'f', 'v') return redis.call('xread', 'streams', 's', '0')", "0")
    pairs.check("EVAL", "return redis.call('xread', 'block', '0', 'streams', 's', '0')", "0")


def test_watch_broken_by_script_write(pair_factory: Callable[..., Pair]) -> None:
    watcher, writer = pair_factory(), pair_factory()
    watcher.check("SET", "k", "1")
    watcher.check("WATCH", "k")
    writer.check("EVAL", "return redis.call('get', KEYS[1])", "1", "k")
    watcher.check("MULTI")
    watcher.check("PING")
    watcher.check("EXEC")  # a read in a script does not break WATCH
    watcher.check("WATCH", "k")
    writer.check("EVAL", "return redis.call('incr', KEYS[1])", "1", "k")
    watcher.check("MULTI")
    watcher.check("PING")
    watcher.check("EXEC")  # broken: null array


def test_blocked_client_served_after_the_script(pair_factory: Callable[..., Pair]) -> None:
    blocked, pusher = pair_factory(), pair_factory()
    blocked.write(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
    wait_blocked(pusher, 1)
    # The script pushes two elements and pops one: the blocked client gets what is left at its end.
    script = "redis.call('rpush', 'q', 'a', 'b') redis.call('lpop', 'q') return redis.call('llen', 'q')"
    pusher.check("EVAL", script, "0")
    blocked.read()
    pusher.check("LLEN", "q")
    blocked.write(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n")
    wait_blocked(pusher, 1)
    # Pushed then emptied inside the script: nothing to serve, the client stays blocked.
    pusher.check("EVAL", "redis.call('rpush', 'q', 'x') return redis.call('del', 'q')", "0")
    pusher.check("RPUSH", "q", "late")
    blocked.read()


def test_shebang_scripts(pairs: Pair) -> None:
    pairs.check("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "k")
    pairs.check("EVAL", "#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 'v')", "1", "k")
    pairs.check("EVAL", "#!lua\nreturn redis.call('set', KEYS[1], 'v')", "1", "k")
    pairs.check("EVAL_RO", "#!lua\nreturn redis.call('set', KEYS[1], 'v')", "1", "k")
    pairs.check("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "k")
    pairs.check("EVAL", "#!lua flags=no-writes\n\n\nerror('third line')", "0")
    pairs.check("EVAL", "#!lua flags=allow-oom\nreturn redis.call('set', 'x', 'y')", "0")
