package dev.deepgramagent.it;

import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged jar: manifest, relocation of every class, bytecode level. */
class AgentJarTest {

    private static final String OWN_PACKAGE = "dev/deepgramagent/";

    @Test
    void manifestDeclaresAgentEntryPointsAndRetransformation() throws IOException {
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("dev.deepgramagent.bootstrap.AgentEntry", main.getValue("Premain-Class"));
            assertEquals("dev.deepgramagent.bootstrap.AgentEntry", main.getValue("Agent-Class"));
            assertEquals("dev.deepgramagent.bootstrap.AgentEntry", main.getValue("Main-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertEquals("true", main.getValue("Can-Redefine-Classes"));
        }
    }

    @Test
    void everyClassIsUnderTheProjectPackage() throws IOException {
        List<String> foreign = new ArrayList<>();
        int classes = 0;
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.startsWith("META-INF/") || name.endsWith("/")) {
                    continue;
                }
                String path = logicalPath(name);
                if (path.endsWith(".class")) {
                    classes++;
                }
                if (!path.startsWith(OWN_PACKAGE)) {
                    foreign.add(name);
                }
            }
        }
        assertTrue(classes > 1000, "expected the relocated dependencies in the jar, found " + classes + " classes");
        assertEquals(List.of(), foreign, "entries outside " + OWN_PACKAGE);
    }

    @Test
    void relocatedDependenciesArePresent() throws IOException {
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            for (String expected : List.of(
                    "inst/dev/deepgramagent/shaded/bytebuddy/ByteBuddy.classdata",
                    "inst/dev/deepgramagent/shaded/logback/classic/LoggerContext.classdata",
                    "inst/dev/deepgramagent/shaded/slf4j/Logger.classdata",
                    "inst/dev/deepgramagent/shaded/prometheus/client/CollectorRegistry.classdata",
                    "boot/dev/deepgramagent/bridge/Bridge.classdata",
                    "dev/deepgramagent/bootstrap/AgentEntry.class")) {
                assertTrue(jar.getJarEntry(expected) != null, "missing " + expected);
            }
        }
    }

    /** The start reads the bridge's classes from the index the build writes: it must name exactly the boot/ classes. */
    @Test
    void bridgeIndexNamesEveryBridgeClass() throws IOException {
        List<String> bridge = new ArrayList<>();
        List<String> indexed = new ArrayList<>();
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.startsWith("boot/") && name.endsWith(".classdata")) {
                    bridge.add(name);
                }
            }
            JarEntry index = jar.getJarEntry("boot/dev/deepgramagent/bridge/index.txt");
            assertTrue(index != null, "no bridge index in the jar");
            try (InputStream in = jar.getInputStream(index)) {
                for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\\R")) {
                    if (!line.isBlank()) {
                        indexed.add(line.trim());
                    }
                }
            }
        }
        bridge.sort(null);
        indexed.sort(null);
        assertTrue(bridge.contains("boot/dev/deepgramagent/bridge/Bridge.classdata"), "bridge classes: " + bridge);
        assertEquals(bridge, indexed);
    }

    /** Our own classes are Java 11 bytecode (but the advice for Jetty 12, which only Java 17 runs); nothing else in the jar needs a newer JVM. */
    @Test
    void classesTargetJava11() throws IOException {
        List<String> problems = new ArrayList<>();
        int own = 0;
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                String path = logicalPath(entry.getName());
                if (!path.endsWith(".class")) {
                    continue;
                }
                int major = majorVersion(jar, entry);
                boolean ownCode = !path.startsWith(OWN_PACKAGE + "shaded/");
                // Advice for Jetty 12 (Java 17 class files) is Java 17 itself: read as bytes and inlined, never loaded.
                boolean java17Advice = path.startsWith(OWN_PACKAGE + "instrumentation/jetty/JettyAdvice");
                if (java17Advice) {
                    own++;
                    if (major != 61) {
                        problems.add(entry.getName() + " major " + major);
                    }
                } else if (ownCode) {
                    own++;
                    if (major != 55) {
                        problems.add(entry.getName() + " major " + major);
                    }
                } else if (major > 55) {
                    problems.add(entry.getName() + " major " + major);
                }
            }
        }
        assertTrue(own > 10, "found only " + own + " own classes");
        assertEquals(List.of(), problems);
    }

    /** boot/x/Y.classdata and inst/x/Y.classdata are the classes x/Y.class. */
    static String logicalPath(String entry) {
        String path = entry;
        if (path.startsWith("inst/")) {
            path = path.substring("inst/".length());
        } else if (path.startsWith("boot/")) {
            path = path.substring("boot/".length());
        }
        return path.endsWith(".classdata") ? path.substring(0, path.length() - ".classdata".length()) + ".class" : path;
    }

    private static int majorVersion(JarFile jar, JarEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry); DataInputStream data = new DataInputStream(in)) {
            int magic = data.readInt();
            assertEquals(0xCAFEBABE, magic, entry.getName() + " is not a class file");
            data.readUnsignedShort();
            return data.readUnsignedShort();
        }
    }
}
