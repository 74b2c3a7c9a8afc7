# Helpers shared by every component's CMakeLists.txt.

# Adds every immediate subdirectory of the current source dir that has a CMakeLists.txt, in
# name order. Components live in their own folders, so adding one never edits a shared file.
function(wv_add_children)
  set(base "${CMAKE_CURRENT_SOURCE_DIR}")
  file(GLOB children LIST_DIRECTORIES true "${base}/*")
  list(SORT children)
  foreach(child IN LISTS children)
    if(IS_DIRECTORY "${child}" AND EXISTS "${child}/CMakeLists.txt")
      add_subdirectory("${child}")
    endif()
  endforeach()
endfunction()

# wv_test(NAME SOURCES a.cpp b.cpp LIBS wv_mqtt ... [LABELS unit|integration] [TIMEOUT s])
# One doctest executable, registered as one ctest test. The doctest main comes from
# tests/support/doctest_main.cpp.
function(wv_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
  # A source that a wv_test_library() holds links as that library instead of compiling again.
  get_property(shared_sources GLOBAL PROPERTY WV_TEST_LIBRARY_SOURCES)
  get_property(shared_libraries GLOBAL PROPERTY WV_TEST_LIBRARY_TARGETS)
  set(sources "")
  foreach(src IN LISTS T_SOURCES)
    get_filename_component(abs "${src}" ABSOLUTE)
    list(FIND shared_sources "${abs}" at)
    if(at EQUAL -1)
      list(APPEND sources "${src}")
    else()
      list(GET shared_libraries ${at} library)
      if(NOT library IN_LIST T_LIBS)
        list(APPEND T_LIBS ${library})
      endif()
    endif()
  endforeach()
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE wv_test_support ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}"
                       ENVIRONMENT "WV_SOURCE_DIR=${PROJECT_SOURCE_DIR};WV_BINARY_DIR=${PROJECT_BINARY_DIR};${T_ENV}")
endfunction()

# wv_test_library(NAME SOURCES fixture.cpp ... LIBS wv_gateway ...): sources that several test
# executables share (fixtures, fake devices, helpers), compiled once into one static library.
# Declare it before the tests in that folder's CMakeLists.txt; wv_test() then links it wherever
# SOURCES names one of its files (by path, from any folder), so the test lines stay as they are.
# Compiled per test, test_device.cpp alone (Asio coroutines) cost 10 CPU-seconds in each of 9 tests.
# The sources must not hold TEST_CASEs: the linker takes nothing from a static library unasked.
function(wv_test_library name)
  cmake_parse_arguments(L "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} STATIC ${L_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC wv_test_support ${L_LIBS})
  foreach(src IN LISTS L_SOURCES)
    get_filename_component(abs "${src}" ABSOLUTE)
    set_property(GLOBAL APPEND PROPERTY WV_TEST_LIBRARY_SOURCES "${abs}")
    set_property(GLOBAL APPEND PROPERTY WV_TEST_LIBRARY_TARGETS ${name})
  endforeach()
endfunction()

# wv_bench(NAME SOURCES ... LIBS ...): a benchmark executable, never run by ctest. Not part of
# the default build (`make test` runs none of them; README "Build times"): `make bench`
# builds them all through the wv_benchmarks target, `--target NAME` one.
function(wv_bench name)
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  if(WV_BENCH)
    add_executable(${name} EXCLUDE_FROM_ALL ${B_SOURCES})
    target_link_libraries(${name} PRIVATE ${B_LIBS})
    if(NOT TARGET wv_benchmarks)
      add_custom_target(wv_benchmarks)
    endif()
    add_dependencies(wv_benchmarks ${name})
  endif()
endfunction()

# wv_fuzzer(NAME SOURCES ... LIBS ...): a libFuzzer target, built only with -DWV_FUZZ=ON and clang.
function(wv_fuzzer name)
  cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
  if(WV_FUZZ)
    add_executable(${name} ${F_SOURCES})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE ${F_LIBS})
  endif()
endfunction()
