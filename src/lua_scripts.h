/*
 * lua_scripts.h - the queue's Lua scripts, embedded at build time from
 * the files of src/lua/ by src/lua/embed.awk (lua_scripts.c is generated in the
 * build directory).  Each text is the blocks of common.lua the script uses
 * (see embed.awk) followed by the script.
 */
#ifndef XQ_LUA_SCRIPTS_H
#define XQ_LUA_SCRIPTS_H

typedef struct xq_lua_script {
    const char *name; /* file name without .lua */
    const char *text;
} xq_lua_script;

extern const xq_lua_script xq_lua_scripts[];
extern const unsigned xq_lua_script_count;

#endif
