import FoundationEssentials

/// Where a service finds data shipped with it (the official calendar, the benefit rules, the
/// OpenAPI document): the path in `variable` when set, else `relativePath` beside the source
/// file that asks (`#filePath`), in the tree the executable was built from, which is what local
/// runs and tests use. Container images set the variable (deploy/Dockerfile).
public func shippedDataPath(_ variable: String, relativePath: String, besideSource sourceFile: String = #filePath) -> String {
    if let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty { return path }
    return URL(filePath: sourceFile).deletingLastPathComponent().appending(path: relativePath).standardized.path
}
