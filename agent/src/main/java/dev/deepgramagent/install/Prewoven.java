package dev.deepgramagent.install;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Instrumented classes woven at build time ({@code PrewovenGenerator}) for the library versions the
 * agent is tested with, stored in the agent jar under the SHA-256 of the original class file. When
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
        return ROOT + internalName.replace('/', '.') + "/" + sha256(classFile) + SUFFIX;
    }

    private static String sha256(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            StringBuilder hex = new StringBuilder(digest.length * 2);
            for (byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }
}
