# Writes build_id.h: the first 12 hex digits of a SHA-256 over the core's sources. Every host's build
# of the same sources gets the same id (so cross-host comparisons of `version` agree), and it
# changes whenever the rules do. Run as: cmake -DOUT=<header> -DLIST=<file listing the sources> -P build_id.cmake
file(READ "${LIST}" SOURCES)
set(content "")
foreach(f IN LISTS SOURCES)
  file(READ "${f}" text)
  get_filename_component(name "${f}" NAME)
  string(APPEND content "${name}\n${text}\n")
endforeach()
string(SHA256 digest "${content}")
string(SUBSTRING "${digest}" 0 12 id)
set(header "#define COMETPROV_BUILD_ID \"${id}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${header}")
  file(WRITE "${OUT}" "${header}")
endif()
