import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` into the target before each build: `buildCommit`, the git commit of the checkout
/// (`-dirty` when tracked files differ from it; `unknown` outside a git checkout). The file is rewritten only
/// when its text changes, so an unchanged checkout recompiles nothing.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "generated")
        let script = #"""
            cd "$1" || exit 1
            commit=$(git rev-parse --short=12 HEAD 2>/dev/null) || commit=unknown
            if [ "$commit" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null | head -n 1)" ]; then
                commit="$commit-dirty"
            fi
            mkdir -p "$2"
            printf '/// The git commit this binary was built from (written by the BuildInfo plugin).\nlet buildCommit = "%s"\n' "$commit" > "$2/BuildInfo.swift.new"
            if cmp -s "$2/BuildInfo.swift.new" "$2/BuildInfo.swift"; then rm "$2/BuildInfo.swift.new"; else mv "$2/BuildInfo.swift.new" "$2/BuildInfo.swift"; fi
            """#
        return [
            .prebuildCommand(
                displayName: "Record the git commit of the build",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "build-info", context.package.directoryURL.path, output.path],
                outputFilesDirectory: output
            )
        ]
    }
}
