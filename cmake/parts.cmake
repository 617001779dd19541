# The machinery behind the dependency table in src/CMakeLists.txt (read the table there first).
#
# tongban_part(<part> [USES <part>...] [TARGET <library>] [INTERNAL <header>...] [ADAPTERS])
# declares one part: the folder src/<part>, its library (tongban_<part> unless TARGET names
# another), the parts it uses directly (each declared on an earlier line, so the table has no
# cycle) and the headers of src/<part> no other part may include. A part may use the parts it
# names and all they may use. ADAPTERS (cli alone): the part may use every part's adapter too.
#
# A part's adapter is its folder src/<part>/part/, when it has one: the object that plugs the part
# into the program (part/part.h: config section, migrations, routes, metrics, demo data, commands,
# workers). Its library tongban_<part>_part (rule name "<part>/part") may use the part, the Part
# interface (`part`, hence api) and the adapters of the parts <part> uses. Adapters are added
# after every part but the ADAPTERS one, so a domain part's line stays where the table puts it.
#
# tongban_add_parts() then, for each part in table order:
#  - gives it an include root of its own, ${CMAKE_BINARY_DIR}/include/<part>, which holds only the
#    symlink <part> -> src/<part>, so `#include "<part>/x.h"` resolves there and nowhere else;
#  - adds src/<part>, puts that root on its library (PUBLIC) and links the libraries of the parts it
#    uses (PUBLIC), which bring their roots along. A library, and whatever links it, sees the
#    headers of its own part and of the parts it may use; an include of any other part fails to
#    compile ("api/router.h: No such file or directory").
# Afterwards it stops the configure if a part's own CMakeLists.txt links the library of a part it
# may not use, writes the table to ${CMAKE_BINARY_DIR}/dependency_rule.txt (read by
# architecture_dependency_rule_test, which names file and line of a stray include) and builds one
# probe per part that fails to compile (#error) if its include path sees a part it may not use or
# misses one it may.

set_property(GLOBAL PROPERTY TONGBAN_PARTS "")

function(tongban_part part)
  cmake_parse_arguments(P "ADAPTERS" "TARGET" "USES;INTERNAL" ${ARGN})
  if(P_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tongban_part(${part}): unexpected ${P_UNPARSED_ARGUMENTS}")
  endif()
  get_property(parts GLOBAL PROPERTY TONGBAN_PARTS)
  if(part IN_LIST parts)
    message(FATAL_ERROR "tongban_part(${part}): declared twice")
  endif()
  if(NOT IS_DIRECTORY ${CMAKE_SOURCE_DIR}/src/${part})
    message(FATAL_ERROR "tongban_part(${part}): no folder src/${part}")
  endif()
  set(closure "")
  foreach(dep IN LISTS P_USES)
    if(NOT dep IN_LIST parts)
      message(FATAL_ERROR "tongban_part(${part}): ${dep} must be declared above ${part} "
                          "(dependencies point down the table, never up)")
    endif()
    get_property(dep_closure GLOBAL PROPERTY TONGBAN_PART_${dep}_MAY_USE)
    list(APPEND closure ${dep} ${dep_closure})
  endforeach()
  # What it may use, nearest first: the table's order, read upwards. ADAPTERS: every part above
  # (the adapters it links reach them all).
  if(P_ADAPTERS)
    set(closure ${parts})
  endif()
  set(may_use "")
  set(above ${parts})
  list(REVERSE above)
  foreach(p IN LISTS above)
    if(p IN_LIST closure)
      list(APPEND may_use ${p})
    endif()
  endforeach()
  if(NOT P_TARGET)
    set(P_TARGET tongban_${part})
  endif()
  set_property(GLOBAL APPEND PROPERTY TONGBAN_PARTS ${part})
  set_property(GLOBAL PROPERTY TONGBAN_PART_${part}_TARGET ${P_TARGET})
  set_property(GLOBAL PROPERTY TONGBAN_PART_${part}_USES "${P_USES}")
  set_property(GLOBAL PROPERTY TONGBAN_PART_${part}_MAY_USE "${may_use}")
  set_property(GLOBAL PROPERTY TONGBAN_PART_${part}_INTERNAL "${P_INTERNAL}")
  set_property(GLOBAL PROPERTY TONGBAN_PART_${part}_ADAPTERS ${P_ADAPTERS})
endfunction()

# Adds the adapter src/<part>/part of each part that has one (see the top of this file) and
# appends its line to the rule text in `rule_var`; the adapters' libraries go to `out_var`.
function(tongban_add_adapters rule_var out_var)
  get_property(parts GLOBAL PROPERTY TONGBAN_PARTS)
  set(rule "${${rule_var}}")
  set(adapters "")
  foreach(part IN LISTS parts)
    if(NOT EXISTS ${CMAKE_SOURCE_DIR}/src/${part}/part/CMakeLists.txt)
      continue()
    endif()
    get_property(target GLOBAL PROPERTY TONGBAN_PART_${part}_TARGET)
    get_property(uses GLOBAL PROPERTY TONGBAN_PART_${part}_USES)
    set(adapter tongban_${part}_part)
    add_subdirectory(${CMAKE_SOURCE_DIR}/src/${part}/part ${CMAKE_BINARY_DIR}/src/${part}/part)
    if(NOT TARGET ${adapter})
      message(FATAL_ERROR "src/${part}/part/CMakeLists.txt must define the library ${adapter}")
    endif()
    set(line "${part}/part ${part} part")
    target_link_libraries(${adapter} PUBLIC ${target} tongban_part)
    foreach(dep IN LISTS uses)
      if(TARGET tongban_${dep}_part)
        target_link_libraries(${adapter} PUBLIC tongban_${dep}_part)
        string(APPEND line " ${dep}/part")
      endif()
    endforeach()
    string(APPEND rule "uses ${line}\n")
    list(APPEND adapters ${adapter})
    set_property(GLOBAL APPEND PROPERTY TONGBAN_ADAPTER_PARTS ${part}/part)
  endforeach()
  set(${rule_var} "${rule}" PARENT_SCOPE)
  set(${out_var} "${adapters}" PARENT_SCOPE)
endfunction()

# The include root of a part: ${CMAKE_BINARY_DIR}/include/<part>. For targets outside the table
# that compile a part's sources themselves (fuzz/core, fuzz/crypto); everything else gets the root
# by linking the part's library.
function(tongban_part_include_root part out_var)
  set(${out_var} ${CMAKE_BINARY_DIR}/include/${part} PARENT_SCOPE)
endfunction()

function(tongban_add_parts)
  get_property(parts GLOBAL PROPERTY TONGBAN_PARTS)
  string(CONCAT rule "# Generated by cmake/parts.cmake from the table in src/CMakeLists.txt. Do not edit.\n"
         "# uses <part> <parts it uses directly>...   internal <part> <header only it includes>...\n")
  foreach(part IN LISTS parts)
    get_property(target GLOBAL PROPERTY TONGBAN_PART_${part}_TARGET)
    get_property(uses GLOBAL PROPERTY TONGBAN_PART_${part}_USES)
    get_property(internal GLOBAL PROPERTY TONGBAN_PART_${part}_INTERNAL)
    get_property(with_adapters GLOBAL PROPERTY TONGBAN_PART_${part}_ADAPTERS)
    set(adapter_libs "")
    set(adapter_names "")
    if(with_adapters)
      tongban_add_adapters(rule adapter_libs)
      get_property(adapter_names GLOBAL PROPERTY TONGBAN_ADAPTER_PARTS)
    endif()
    set(root ${CMAKE_BINARY_DIR}/include/${part})
    file(MAKE_DIRECTORY ${root})
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${part} ${root}/${part} SYMBOLIC)
    add_subdirectory(${CMAKE_SOURCE_DIR}/src/${part} ${CMAKE_BINARY_DIR}/src/${part})
    if(NOT TARGET ${target})
      message(FATAL_ERROR "src/${part}/CMakeLists.txt must define the library ${target}")
    endif()
    target_include_directories(${target} PUBLIC ${root})
    foreach(dep IN LISTS uses)
      get_property(dep_target GLOBAL PROPERTY TONGBAN_PART_${dep}_TARGET)
      target_link_libraries(${target} PUBLIC ${dep_target})
    endforeach()
    if(adapter_libs)
      target_link_libraries(${target} PUBLIC ${adapter_libs})
    endif()
    string(STRIP "${part} ${uses} ${adapter_names}" line)
    string(REPLACE ";" " " line "${line}")
    string(APPEND rule "uses ${line}\n")
    if(internal)
      list(JOIN internal " " internal_text)
      string(APPEND rule "internal ${part} ${internal_text}\n")
    endif()
  endforeach()

  # The link lines in the parts' own CMakeLists.txt may name only external libraries and parts
  # the table allows (a stray link would widen the include path behind the table's back).
  foreach(part IN LISTS parts)
    get_property(target GLOBAL PROPERTY TONGBAN_PART_${part}_TARGET)
    get_property(may_use GLOBAL PROPERTY TONGBAN_PART_${part}_MAY_USE)
    get_target_property(libs ${target} LINK_LIBRARIES)
    foreach(other IN LISTS parts)
      get_property(other_target GLOBAL PROPERTY TONGBAN_PART_${other}_TARGET)
      if(other_target IN_LIST libs AND NOT other STREQUAL part AND NOT other IN_LIST may_use)
        list(JOIN may_use ", " may_use_text)
        message(FATAL_ERROR "src/${part}/CMakeLists.txt links ${other_target}: ${part} may use "
                            "${may_use_text} (the table in src/CMakeLists.txt)")
      endif()
    endforeach()
  endforeach()

  file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/dependency_rule.txt CONTENT "${rule}" @ONLY)

  # One probe per part, compiled with exactly what its library's users get: every part it may use
  # must be visible, every other part must not be. Each probe asks for a file every part folder has.
  foreach(part IN LISTS parts)
    get_property(target GLOBAL PROPERTY TONGBAN_PART_${part}_TARGET)
    get_property(may_use GLOBAL PROPERTY TONGBAN_PART_${part}_MAY_USE)
    set(probe "// Generated by cmake/parts.cmake: what the include path of ${target} can see.\n")
    foreach(other IN LISTS parts)
      if(other STREQUAL part OR other IN_LIST may_use)
        string(APPEND probe "#if !__has_include(\"${other}/CMakeLists.txt\")\n"
                            "#error \"${part} may use ${other}, but its include path misses src/${other}\"\n#endif\n")
      else()
        string(APPEND probe "#if __has_include(\"${other}/CMakeLists.txt\")\n"
                            "#error \"${part} may not use ${other} (src/CMakeLists.txt), but its include path "
                            "reaches src/${other}\"\n#endif\n")
      endif()
    endforeach()
    set(probe_file ${CMAKE_BINARY_DIR}/dependency_rule/${part}_probe.cc)
    file(CONFIGURE OUTPUT ${probe_file} CONTENT "${probe}" @ONLY)
    add_library(${part}_dependency_probe OBJECT ${probe_file})
    target_link_libraries(${part}_dependency_probe PRIVATE ${target})
  endforeach()
endfunction()
