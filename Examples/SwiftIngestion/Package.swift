// swift-tools-version:6.0
import PackageDescription

// An ingestion job written against the generated client (Clients/AdvocacyClient): run by Deploy/api-check.
let package = Package(
    name: "SwiftIngestion",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: "../../Clients/AdvocacyClient"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/apple/swift-openapi-urlsession", from: "1.4.0"),
    ],
    targets: [
        .executableTarget(
            name: "IngestionExample",
            dependencies: [
                .product(name: "AdvocacyClient", package: "AdvocacyClient"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIURLSession", package: "swift-openapi-urlsession"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
