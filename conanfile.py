"""Conan 2 recipe for faltrain (C++17 SDK for fal.ai avatar training).

    conan create . --build=missing
Conan is not installed on the development machines: this recipe is checked for syntax only, and the
CMake package it wraps is tested through tests/consumer against a `cmake --install` tree.
"""
import os

from conan import ConanFile
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
    options = {"shared": [True, False], "fPIC": [True, False]}
    default_options = {"shared": False, "fPIC": True}
    exports_sources = "CMakeLists.txt", "LICENSE", "cmake/*", "include/*", "src/*"

    def config_options(self):
        if self.settings.os == "Windows":
            del self.options.fPIC

    def configure(self):
        if self.options.shared:
            self.options.rm_safe("fPIC")

    def layout(self):
        cmake_layout(self)

    def requirements(self):
        # Boost.Outcome is part of the public API (faltrain::result<T>).
        self.requires("boost/[>=1.74 <2]", transitive_headers=True)
        self.requires("libcurl/[>=7.88 <9]")
        self.requires("simdjson/[>=3.0 <4]")
        self.requires("fmt/[>=9 <12]")
        self.requires("openssl/[>=3 <4]")
        self.requires("libzip/[>=1.7 <2]")
        self.requires("sqlite3/[>=3.40 <4]")
        self.requires("libpq/[>=15 <18]")

    def build_requirements(self):
        # libzip is found through its pkg-config file (see cmake/FaltrainDependencies.cmake).
        self.tool_requires("pkgconf/[>=1.9 <3]")

    def validate(self):
        check_min_cppstd(self, 17)

    def generate(self):
        toolchain = CMakeToolchain(self)
        toolchain.cache_variables["FALTRAIN_BUILD_TESTS"] = False
        toolchain.cache_variables["FALTRAIN_BUILD_EXAMPLES"] = False
        toolchain.cache_variables["FALTRAIN_BUILD_BENCHMARKS"] = False
        toolchain.cache_variables["FALTRAIN_BUILD_FUZZERS"] = False
        toolchain.cache_variables["FALTRAIN_INSTALL"] = True
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
        self.cpp_info.libs = ["faltrain"]
        self.cpp_info.requires = [
            "boost::headers",
            "libcurl::curl",
            "simdjson::simdjson",
            "fmt::fmt",
            "openssl::crypto",
            "libzip::libzip",
            "sqlite3::sqlite3",
            "libpq::libpq",
        ]
        if self.settings.os in ("Linux", "FreeBSD"):
            self.cpp_info.system_libs = ["pthread", "m"]
