"""Conan 2 recipe for faltrain (C++17 SDK for fal.ai avatar training).

    conan create . --build=missing
Conan is not installed on the development machines: this recipe is checked for syntax only, and the
CMake package it wraps is tested through tests/consumer against a `cmake --install` tree.
"""
import os

from conan import ConanFile
from conan.errors import ConanInvalidConfiguration
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeDeps, CMakeToolchain, cmake_layout
from conan.tools.files import copy, rmdir
from conan.tools.gnu import PkgConfigDeps

required_conan_version = ">=2.0"


class FaltrainConan(ConanFile):
    name = "faltrain"
    version = "0.1.0"
    license = "Apache-2.0"
    description = ("C++17 SDK for training avatar models (LoRA files and finetunes) on fal.ai "
                   "and generating images with them")
    topics = ("fal", "fal-ai", "lora", "training", "flux", "sdk")
    package_type = "library"
    settings = "os", "arch", "compiler", "build_type"
    # One option per optional component (CMake: FALTRAIN_WITH_<NAME>); faltrain::client is always
    # built. Defaults match the vcpkg port's default features: client + webhooks.
    options = {
        "shared": [True, False],
        "fPIC": [True, False],
        "with_webhooks": [True, False],
        "with_jobs": [True, False],
        "with_sqlite": [True, False],
        "with_postgres": [True, False],
        "with_testing": [True, False],
        "with_preflight": [True, False],
    }
    default_options = {
        "shared": False,
        "fPIC": True,
        "with_webhooks": True,
        "with_jobs": False,
        "with_sqlite": False,
        "with_postgres": False,
        "with_testing": False,
        "with_preflight": False,
    }
    # Each optional component's prerequisites (as in cmake/FaltrainComponents.cmake).
    _prerequisites = {
        "webhooks": ["client"],
        "jobs": ["client", "webhooks"],
        "sqlite": ["jobs"],
        "postgres": ["jobs", "sqlite"],
        "testing": ["client", "webhooks"],
        "preflight": ["client"],
    }
    exports_sources = "CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*"

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def _enabled(self, component):
        return component == "client" or bool(self.options.get_safe(f"with_{component}"))

    def _components(self):
        return ["client"] + [c for c in self._prerequisites if self._enabled(c)]

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        # Boost.Outcome is part of the public API (faltrain::result<T>).
        self.requires("boost/[>=1.74 <2]", transitive_headers=True)
        self.requires("libcurl/[>=7.88 <9]")
        self.requires("simdjson/[>=3.0 <4]")
        self.requires("fmt/[>=9 <12]")
        self.requires("libzip/[>=1.7 <2]")
        if self._enabled("webhooks") or self._enabled("testing"):
            self.requires("openssl/[>=3 <4]")
        if self._enabled("sqlite"):
            self.requires("sqlite3/[>=3.40 <4]")
        if self._enabled("postgres"):
            self.requires("libpq/[>=15 <18]")
        if self._enabled("preflight"):
            self.requires("opencv/[>=4.5 <5]")

    def build_requirements(self):
        # libzip is found through its pkg-config file (see cmake/FaltrainDependencies.cmake).
        self.tool_requires("pkgconf/[>=1.9 <3]")

    def validate(self):
        check_min_cppstd(self, 17)
        for component in self._prerequisites:
            if not self._enabled(component):
                continue
            for prerequisite in self._prerequisites[component]:
                if not self._enabled(prerequisite):
                    raise ConanInvalidConfiguration(
                        f"faltrain with_{component} needs with_{prerequisite}=True")

    def generate(self):
        toolchain = CMakeToolchain(self)
        toolchain.cache_variables["FALTRAIN_BUILD_TESTS"] = False
        toolchain.cache_variables["FALTRAIN_BUILD_EXAMPLES"] = False
        toolchain.cache_variables["FALTRAIN_BUILD_BENCHMARKS"] = False
        toolchain.cache_variables["FALTRAIN_BUILD_FUZZERS"] = False
        toolchain.cache_variables["FALTRAIN_INSTALL"] = True
        for component in self._prerequisites:
            toolchain.cache_variables[f"FALTRAIN_WITH_{component.upper()}"] = self._enabled(component)
        toolchain.generate()
        CMakeDeps(self).generate()
        PkgConfigDeps(self).generate()

    def build(self):
        cmake = CMake(self)
        cmake.configure()
        cmake.build()

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        cmake = CMake(self)
        cmake.install()
        # Conan generates the consumers' CMake files from package_info().
        rmdir(self, os.path.join(self.package_folder, "lib", "cmake"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "faltrain")
        self.cpp_info.set_property("cmake_target_name", "faltrain::faltrain")
        self.cpp_info.set_property("pkg_config_name", "faltrain")
        # What each component's library links beside its prerequisites.
        own_requires = {
            "client": ["boost::headers", "libcurl::curl", "simdjson::simdjson", "fmt::fmt",
                       "libzip::libzip"],
            "webhooks": ["openssl::crypto", "simdjson::simdjson", "fmt::fmt"],
            "jobs": ["fmt::fmt"],
            "sqlite": ["sqlite3::sqlite3", "fmt::fmt"],
            "postgres": ["libpq::libpq", "fmt::fmt"],
            "testing": ["openssl::crypto", "simdjson::simdjson", "fmt::fmt"],
            "preflight": ["opencv::opencv_core", "opencv::opencv_imgproc", "opencv::opencv_imgcodecs",
                          "opencv::opencv_objdetect", "fmt::fmt"],
        }
        for component in self._components():
            info = self.cpp_info.components[component]
            info.set_property("cmake_target_name", f"faltrain::{component}")
            info.set_property("pkg_config_name", f"faltrain-{component}")
            info.libs = [f"faltrain_{component}"]
            info.requires = self._prerequisites.get(component, []) + own_requires[component]
            if self.settings.os in ("Linux", "FreeBSD"):
                info.system_libs = ["pthread", "m"]
