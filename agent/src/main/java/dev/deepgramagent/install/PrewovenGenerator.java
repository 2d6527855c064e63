package dev.deepgramagent.install;

import java.io.File;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Build step (agent/pom.xml, process-classes): weaves each instrumented type found in the given
 * library jars with the agent's own {@link Weaver} and writes the result where {@link Prewoven}
 * finds it. Not part of the agent jar. Arguments: output directory, then library jars.
 */
public final class PrewovenGenerator {

    private PrewovenGenerator() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Paths.get(args[0]);
        // Start the prewoven folder empty: a woven class left from an earlier build (another
        // OkHttp version, older advice) must not reach the jar.
        Path previous = out.resolve(Prewoven.ROOT);
        if (Files.isDirectory(previous)) {
            try (Stream<Path> old = Files.walk(previous)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Weaver weaver = new Weaver(AgentStartup.MODULES);
        int written = 0;
        for (int i = 1; i < args.length; i++) {
            File jar = new File(args[i]);
            try (ZipFile zip = new ZipFile(jar);
                 URLClassLoader loader = new URLClassLoader(new URL[] {jar.toURI().toURL()}, null)) {
                for (InstrumentationModule module : AgentStartup.MODULES) {
                    if (!module.prewovenAtBuild()) {
                        continue;
                    }
                    for (String type : module.typeNames()) {
                        String internalName = type.replace('.', '/');
                        ZipEntry entry = zip.getEntry(internalName + ".class");
                        if (entry == null) {
                            continue;
                        }
                        byte[] classFile;
                        try (InputStream in = zip.getInputStream(entry)) {
                            classFile = in.readAllBytes();
                        }
                        byte[] woven = weaver.weave(loader, type, classFile, module.advice(type));
                        Path target = out.resolve(Prewoven.resourceName(internalName, classFile));
                        Files.createDirectories(target.getParent());
                        Files.write(target, woven);
                        System.out.println("prewoven " + type + " from " + jar.getName());
                        written++;
                    }
                }
            }
        }
        if (written == 0) {
            throw new IllegalStateException("no instrumented type found in " + (args.length - 1) + " jars");
        }
    }
}
