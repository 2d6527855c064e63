package dev.deepgramagent.install;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Instrumented classes woven at build time ({@code PrewovenGenerator}) for the library versions the
 * agent is tested with, stored in the agent jar under the length, CRC-32 and CRC-32C of the original
 * class file (an accidental match of all three is about one in 2^64; a cryptographic digest would
 * load the JDK's security providers on the start-up path, and nobody who can change the app's
 * class path needs a collision to change what it runs). When
 * a class loads with exactly those bytes, the woven result is the one Byte Buddy would produce, so
 * it is used as is: the app's first session then waits only for the agent's core, and an app
 * that only uses these versions never loads Byte Buddy at all. Any other bytes are woven at run time.
 */
final class Prewoven {

    static final String ROOT = "dev/deepgramagent/prewoven/";
    static final String SUFFIX = ".woven";

    private Prewoven() {
    }

    /** @return the woven class for exactly these bytes, or null. */
    static byte[] lookup(String internalName, byte[] classFile) {
        try (InputStream in = Prewoven.class.getClassLoader().getResourceAsStream(resourceName(internalName, classFile))) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String resourceName(String internalName, byte[] classFile) {
        return ROOT + internalName.replace('/', '.') + "/" + fingerprint(classFile) + SUFFIX;
    }

    /** Length, CRC-32 and CRC-32C of the class file: checksums the JVM computes with intrinsics, no provider lookup. */
    static String fingerprint(byte[] bytes) {
        CRC32 crc32 = new CRC32();
        crc32.update(bytes, 0, bytes.length);
        CRC32C crc32c = new CRC32C();
        crc32c.update(bytes, 0, bytes.length);
        return Integer.toHexString(bytes.length) + "-" + Long.toHexString(crc32.getValue()) + "-" + Long.toHexString(crc32c.getValue());
    }
}
