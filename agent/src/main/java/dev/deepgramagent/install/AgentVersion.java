package dev.deepgramagent.install;

import java.io.InputStream;
import java.util.Properties;

/** The agent's version, from the build. */
public final class AgentVersion {

    private static volatile String version;

    private AgentVersion() {
    }

    public static String get() {
        String v = version;
        if (v == null) {
            v = read();
            version = v;
        }
        return v;
    }

    private static String read() {
        try (InputStream in = AgentVersion.class.getResourceAsStream("/dev/deepgramagent/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
