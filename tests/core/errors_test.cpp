// The error catalogue is complete: every "area.name" literal in the core's sources is either an op
// name (as `version` lists them) or a code catalogued in core/ERRORS.md, and every catalogued code
// is used somewhere.
#include "test_util.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Code-shaped literals per source file, skipping #include lines.
std::map<std::string, std::string> code_literals() {
    std::map<std::string, std::string> found;  // code -> first file using it
    const std::regex literal("\"([a-z]+\\.[a-z_]+)\"");
    const fs::path root(COMETPROV_SOURCE_DIR);
    std::vector<fs::path> files;
    for (const char* dir : {"core/src", "wasm"}) {
        for (const auto& e : fs::directory_iterator(root / dir)) {
            const auto ext = e.path().extension();
            if (ext == ".cpp" || ext == ".hpp" || ext == ".c") files.push_back(e.path());
        }
    }
    for (const auto& f : files) {
        std::istringstream lines(read_text(f));
        std::string line;
        while (std::getline(lines, line)) {
            if (line.rfind("#include", 0) == 0) continue;
            for (std::sregex_iterator it(line.begin(), line.end(), literal), end; it != end; ++it) {
                found.emplace((*it)[1].str(), f.filename().string());
            }
        }
    }
    return found;
}

std::set<std::string> catalogued() {
    std::set<std::string> codes;
    std::istringstream lines(read_text(fs::path(COMETPROV_SOURCE_DIR) / "core" / "ERRORS.md"));
    std::string line;
    const std::regex row("^\\| `([a-z]+\\.[a-z_]+)` \\|");
    std::smatch m;
    while (std::getline(lines, line)) {
        if (std::regex_search(line, m, row)) codes.insert(m[1].str());
    }
    return codes;
}

std::set<std::string> op_names() {
    std::set<std::string> ops;
    const cometprov::json v = cptest::call("version", cometprov::json::object());
    for (const auto& op : v["value"]["ops"]) ops.insert(op.get<std::string>());
    return ops;
}

}  // namespace

TEST(ErrorCatalogue, EveryCodeInTheSourcesIsCatalogued) {
    const auto literals = code_literals();
    const auto codes = catalogued();
    const auto ops = op_names();
    ASSERT_GT(ops.size(), 10u);
    ASSERT_GT(codes.size(), 50u) << "core/ERRORS.md was not read";
    std::size_t checked = 0;
    for (const auto& [code, file] : literals) {
        if (ops.count(code) != 0) continue;
        ++checked;
        EXPECT_EQ(codes.count(code), 1u) << code << " (used in " << file << ") is not in core/ERRORS.md";
    }
    EXPECT_GT(checked, 50u);
}

TEST(ErrorCatalogue, EveryCataloguedCodeIsUsed) {
    const auto literals = code_literals();
    for (const auto& code : catalogued()) {
        EXPECT_EQ(literals.count(code), 1u) << code << " is catalogued but no source returns it";
    }
}

TEST(ErrorCatalogue, TheOldCatchAllCodeIsGone) {
    EXPECT_EQ(code_literals().count("comet.api_error"), 0u);
}
