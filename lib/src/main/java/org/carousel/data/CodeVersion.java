package org.carousel.data;

/** The build's version string, recorded in every manifest as provenance. */
public final class CodeVersion {
    private CodeVersion() {}

    public static String get() {
        String v = CodeVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
