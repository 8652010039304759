package io.qreg.registry.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.Yaml;

/**
 * Keeps docker-compose.yml and the Dockerfiles honest against the code they deploy: the
 * variables application.yml actually reads, the jars the module POMs actually build, and
 * the service names the containers use to find each other. Nothing here needs Docker;
 * a compose file that drifts from the code fails the build instead of the first
 * {@code docker compose up}.
 */
class DockerComposeContractTest {

    private static final String POSTGRES = "postgres";
    private static final String OBJECT_STORE = "object-store";
    private static final String REGISTRY = "registry-service";
    private static final String WORKER = "quantizer-worker";

    /** {@code ${QREG_NAME}} or {@code ${QREG_NAME:default}} as Spring writes placeholders. */
    private static final Pattern SPRING_PLACEHOLDER =
            Pattern.compile("\\$\\{(QREG_[A-Z0-9_]+)(?::([^}]*))?}");

    private static Path root;
    private static Map<String, Object> services;
    private static String applicationYmlText;
    private static Map<String, Object> applicationYml;

    @BeforeAll
    static void loadDeploymentFiles() throws IOException {
        root = repositoryRoot();
        Map<String, Object> compose = new Yaml().load(Files.readString(root.resolve("docker-compose.yml")));
        services = map(compose.get("services"));
        applicationYmlText = Files.readString(
                root.resolve("registry-service/src/main/resources/application.yml"));
        applicationYml = new Yaml().load(applicationYmlText);
    }

    @Test
    void composeDefinesPostgresObjectStoreRegistryAndWorker() {
        assertThat(services).containsKeys(POSTGRES, OBJECT_STORE, REGISTRY, WORKER);
    }

    @Test
    void registryPublishesThePortItListensOnWhichIs8080() {
        int listening = registryListeningPort();
        assertThat(listening).isEqualTo(8080);
        assertThat(containerPorts(service(REGISTRY))).contains(listening);
    }

    @Test
    void registryHealthcheckProbesAnActuatorHealthPathOnItsOwnPort() {
        Map<String, Object> healthcheck = map(service(REGISTRY).get("healthcheck"));
        String test = commandText(healthcheck.get("test"));
        Matcher url = Pattern.compile("https?://[^\\s\"']+").matcher(test);

        assertThat(url.find()).as("healthcheck %s calls a URL", test).isTrue();
        URI uri = URI.create(url.group());
        assertThat(uri.getPath()).startsWith("/actuator/health");
        assertThat(uri.getPort()).isEqualTo(registryListeningPort());
    }

    @Test
    void registryOnlySetsQregVariablesThatApplicationYmlReads() {
        Set<String> read = placeholderNames(applicationYmlText);
        Set<String> set = qregKeys(environment(service(REGISTRY)));

        assertThat(set).isNotEmpty();
        assertThat(read).as("QREG_* variables application.yml reads").containsAll(set);
    }

    @Test
    void registrySetsEveryVariableTheDatabaseAndObjectStoreSettingsRead() {
        Map<String, Object> qreg = map(applicationYml.get("qreg"));
        Set<String> needed = new LinkedHashSet<>();
        for (String section : List.of("db", "s3")) {
            map(qreg.get(section)).values().forEach(v -> needed.addAll(placeholderNames(String.valueOf(v))));
        }

        // Guards against the derivation silently finding nothing if application.yml moves keys.
        assertThat(needed).contains("QREG_DB_URL", "QREG_S3_ENDPOINT", "QREG_S3_BUCKET");
        assertThat(environment(service(REGISTRY)).keySet()).containsAll(needed);
    }

    @Test
    void registryUsesAnExternalWorkerFleetAndBootstrapsAnAdminToken() {
        Map<String, String> env = environment(service(REGISTRY));
        assertThat(env.get("QREG_EMBEDDED_WORKER")).isEqualTo("false");
        assertThat(env).containsKey("QREG_BOOTSTRAP_ADMIN_TOKEN");
    }

    @Test
    void registryDatabaseUrlNamesThePostgresServiceAndThePortPostgresListensOn() {
        String jdbcUrl = environment(service(REGISTRY)).get("QREG_DB_URL");
        assertThat(jdbcUrl).startsWith("jdbc:postgresql://");
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));

        assertThat(uri.getHost()).isEqualTo(POSTGRES);
        assertThat(uri.getPort()).isEqualTo(postgresListeningPort());
        String database = environment(service(POSTGRES)).getOrDefault("POSTGRES_DB",
                environment(service(POSTGRES)).getOrDefault("POSTGRES_USER", "postgres"));
        assertThat(uri.getPath()).isEqualTo("/" + database);
    }

    @Test
    void registryMigratesAsTheUserPostgresIsInitialisedWithAndRunsAsTheRoleItsInitScriptCreates()
            throws IOException {
        Map<String, String> registry = environment(service(REGISTRY));
        Map<String, String> postgres = environment(service(POSTGRES));

        // Compared as written, so both sides must use the same variable and the same default.
        assertThat(registry.get("QREG_DB_MIGRATION_USER")).isEqualTo(postgres.get("POSTGRES_USER"));
        assertThat(registry.get("QREG_DB_MIGRATION_PASSWORD")).isEqualTo(postgres.get("POSTGRES_PASSWORD"));
        assertThat(registry.get("QREG_DB_USER")).isEqualTo(postgres.get("QREG_APP_USER"))
                .isNotEqualTo(registry.get("QREG_DB_MIGRATION_USER"));
        assertThat(registry.get("QREG_DB_PASSWORD")).isEqualTo(postgres.get("QREG_APP_PASSWORD"));

        // The init script that creates the registry's role is in the repository, mounted where the image runs it.
        String mount = ((List<?>) service(POSTGRES).get("volumes")).stream().map(String::valueOf)
                .filter(v -> v.contains("/docker-entrypoint-initdb.d/")).findFirst().orElseThrow();
        Path script = root.resolve(mount.substring(0, mount.indexOf(':')));
        assertThat(Files.readString(script)).contains("create role :\"app\" login", "$QREG_APP_USER",
                "$QREG_APP_PASSWORD");
    }

    @Test
    void registryObjectStoreEndpointNamesTheObjectStoreServiceAndUsesItsCredentials() {
        Map<String, String> registry = environment(service(REGISTRY));
        URI endpoint = URI.create(registry.get("QREG_S3_ENDPOINT"));
        assertThat(endpoint.getHost()).isEqualTo(OBJECT_STORE);

        // The store's own variable names differ per product (S3PROXY_IDENTITY,
        // MINIO_ROOT_USER, ...); what matters is that it is configured with the same values.
        var storeValues = environment(service(OBJECT_STORE)).values();
        assertThat(storeValues).contains(registry.get("QREG_S3_ACCESS_KEY"), registry.get("QREG_S3_SECRET_KEY"));
    }

    @Test
    void registryWaitsForAHealthyDatabase() {
        Map<String, Object> dependsOn = map(service(REGISTRY).get("depends_on"));
        assertThat(map(dependsOn.get(POSTGRES)).get("condition")).isEqualTo("service_healthy");
        assertThat(service(POSTGRES)).containsKey("healthcheck");
    }

    @ParameterizedTest(name = "{0} builds from a multi-stage Dockerfile and copies the jar its POM builds")
    @CsvSource({REGISTRY + ",registry-service/target/registry-service.jar",
                WORKER + ",quantizer-worker/target/quantizer-worker.jar"})
    void imageBuildsFromAMultiStageDockerfileThatCopiesTheJarItsModuleBuilds(String name, String promisedJar)
            throws Exception {
        Map<String, Object> build = map(service(name).get("build"));
        Path context = root.resolve(String.valueOf(build.getOrDefault("context", "."))).normalize();
        Path dockerfile = context.resolve(String.valueOf(build.getOrDefault("dockerfile", "Dockerfile"))).normalize();
        assertThat(dockerfile).as("Dockerfile of %s", name).isRegularFile();
        assertThat(context).as("build context of %s is the repository root, where mvnw lives", name)
                .isEqualTo(root.normalize());

        List<String> instructions = instructions(Files.readString(dockerfile));
        assertThat(instructions.stream().filter(i -> keyword(i).equals("FROM")).count())
                .as("FROM instructions in %s", dockerfile).isGreaterThanOrEqualTo(2);

        // The module is named like its service; the POM, not this test, says which jar it builds.
        String builtJar = jarBuiltByPom(name);
        assertThat(builtJar).isEqualTo(promisedJar);

        assertThat(instructions).as("the build stage packages module %s", name)
                .anySatisfy(i -> assertThat(i).startsWith("RUN").contains("package").contains("-pl " + name));

        List<String[]> copiesFromStage = instructions.stream()
                .filter(i -> keyword(i).equals("COPY") && i.contains("--from="))
                .map(i -> i.split("\\s+"))
                .collect(Collectors.toList());
        assertThat(copiesFromStage).as("COPY --from=... lines of %s", dockerfile)
                .anySatisfy(tokens -> assertThat(tokens[tokens.length - 2])
                        .matches(source -> source.equals(builtJar) || source.endsWith("/" + builtJar),
                                "is " + builtJar + " in the build stage"));

        String copiedTo = copiesFromStage.stream()
                .filter(t -> t[t.length - 2].endsWith(builtJar))
                .map(t -> t[t.length - 1])
                .findFirst().orElseThrow();
        String entrypoint = instructions.stream().filter(i -> keyword(i).equals("ENTRYPOINT"))
                .reduce((first, last) -> last).orElse("");
        assertThat(entrypoint).as("ENTRYPOINT runs the copied jar").contains("\"-jar\"").contains(copiedTo);
    }

    @Test
    void registryImageExposes8080AndDoesNotRunAsRoot() throws IOException {
        List<String> instructions = instructions(Files.readString(root.resolve("registry-service/Dockerfile")));
        assertThat(instructions).contains("EXPOSE 8080");
        assertThat(instructions).anySatisfy(i -> assertThat(i).startsWith("USER ").doesNotContain("root"));
    }

    @Test
    void workerCommandRegistersWithTheRegistryServiceOnItsPort() {
        List<String> args = commandArgs(service(WORKER).get("command"));
        assertThat(args).first().isEqualTo("worker");
        int flag = args.indexOf("--registry");
        assertThat(flag).as("--registry in %s", args).isPositive();
        assertThat(args).contains("--token");

        URI registry = URI.create(args.get(flag + 1));
        assertThat(registry.getHost()).isEqualTo(REGISTRY);
        assertThat(registry.getPort()).isEqualTo(registryListeningPort());
    }

    @Test
    void workerUsesTheWorkerTokenTheRegistryBootstraps() {
        List<String> args = commandArgs(service(WORKER).get("command"));
        String token = args.get(args.indexOf("--token") + 1);
        assertThat(environment(service(REGISTRY)).get("QREG_BOOTSTRAP_WORKER_TOKEN"))
                .as("the registry creates the WORKER account whose token the workers present").isEqualTo(token);
    }

    @Test
    void workerCanBeScaledBecauseItHasNoContainerNameOrHostPort() {
        Map<String, Object> worker = service(WORKER);
        assertThat(worker).doesNotContainKey("container_name");
        for (Object port : list(worker.get("ports"))) {
            boolean publishesHostPort = port instanceof Map<?, ?> m
                    ? m.get("published") != null
                    : String.valueOf(port).contains(":");
            assertThat(publishesHostPort).as("worker port %s binds a host port", port).isFalse();
        }
    }

    // --- compose model -------------------------------------------------------------

    private static Map<String, Object> service(String name) {
        assertThat(services).containsKey(name);
        return map(services.get(name));
    }

    /** The environment block in either of compose's two spellings (map or KEY=VALUE list). */
    private static Map<String, String> environment(Map<String, Object> service) {
        Object env = service.get("environment");
        Map<String, String> result = new LinkedHashMap<>();
        if (env instanceof Map<?, ?> m) {
            m.forEach((k, v) -> result.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        } else {
            for (Object entry : list(env)) {
                String text = String.valueOf(entry);
                int eq = text.indexOf('=');
                result.put(eq < 0 ? text : text.substring(0, eq), eq < 0 ? null : text.substring(eq + 1));
            }
        }
        return result;
    }

    private static Set<Integer> containerPorts(Map<String, Object> service) {
        Set<Integer> ports = new LinkedHashSet<>();
        for (Object port : list(service.get("ports"))) {
            if (port instanceof Map<?, ?> m) {
                ports.add(Integer.parseInt(String.valueOf(m.get("target"))));
            } else {
                String spec = String.valueOf(port).replaceFirst("/(tcp|udp)$", "");
                ports.add(Integer.parseInt(spec.substring(spec.lastIndexOf(':') + 1)));
            }
        }
        return ports;
    }

    /** QREG_PORT from compose if it sets one, otherwise the default application.yml gives it. */
    private static int registryListeningPort() {
        String fromCompose = environment(service(REGISTRY)).get("QREG_PORT");
        if (fromCompose != null) {
            return Integer.parseInt(fromCompose);
        }
        Matcher m = SPRING_PLACEHOLDER.matcher(String.valueOf(map(applicationYml.get("qreg")).get("port")));
        assertThat(m.find()).as("qreg.port in application.yml reads QREG_PORT").isTrue();
        return Integer.parseInt(m.group(2));
    }

    /** 5432 unless the postgres service moves it with PGPORT, "-p N" or "-c port=N". */
    private static int postgresListeningPort() {
        Map<String, Object> postgres = service(POSTGRES);
        String pgPort = environment(postgres).get("PGPORT");
        if (pgPort != null) {
            return Integer.parseInt(pgPort);
        }
        List<String> args = commandArgs(postgres.get("command"));
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("-p")) {
                return Integer.parseInt(args.get(i + 1));
            }
            if (args.get(i).equals("-c") && args.get(i + 1).startsWith("port=")) {
                return Integer.parseInt(args.get(i + 1).substring("port=".length()));
            }
        }
        return 5432;
    }

    private static List<String> commandArgs(Object command) {
        if (command == null) {
            return List.of();
        }
        if (command instanceof List<?> l) {
            return l.stream().map(String::valueOf).collect(Collectors.toList());
        }
        return Arrays.asList(String.valueOf(command).trim().split("\\s+"));
    }

    private static String commandText(Object command) {
        return String.join(" ", commandArgs(command));
    }

    // --- application.yml, POMs, Dockerfiles ------------------------------------------

    private static Set<String> placeholderNames(String text) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = SPRING_PLACEHOLDER.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Set<String> qregKeys(Map<String, String> env) {
        return env.keySet().stream().filter(k -> k.startsWith("QREG_"))
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /**
     * The executable jar a module's POM produces, relative to the repository root: the
     * shade plugin's outputFile if it has one, otherwise target/finalName.jar.
     */
    private static String jarBuiltByPom(String module) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document pom = factory.newDocumentBuilder().parse(root.resolve(module).resolve("pom.xml").toFile());

        NodeList plugins = pom.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            NodeList outputFile = plugin.getElementsByTagName("outputFile");
            if (text(plugin, "artifactId").equals("maven-shade-plugin") && outputFile.getLength() > 0) {
                return module + "/" + outputFile.item(0).getTextContent().trim()
                        .replace("${project.build.directory}", "target");
            }
        }
        NodeList finalName = pom.getElementsByTagName("finalName");
        assertThat(finalName.getLength()).as("%s/pom.xml names its jar", module).isPositive();
        return module + "/target/" + finalName.item(0).getTextContent().trim() + ".jar";
    }

    private static String text(Element parent, String child) {
        NodeList nodes = parent.getElementsByTagName(child);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().trim();
    }

    /** Dockerfile instructions with continuation lines joined and comments dropped. */
    private static List<String> instructions(String dockerfile) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : dockerfile.split("\\R")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || trimmed.isEmpty()) {
                continue;
            }
            boolean continues = trimmed.endsWith("\\");
            current.append(continues ? trimmed.substring(0, trimmed.length() - 1) : trimmed).append(' ');
            if (!continues) {
                result.add(current.toString().trim().replaceAll("\\s+", " "));
                current.setLength(0);
            }
        }
        return result;
    }

    private static String keyword(String instruction) {
        int space = instruction.indexOf(' ');
        return (space < 0 ? instruction : instruction.substring(0, space)).toUpperCase();
    }

    // --- plumbing --------------------------------------------------------------------

    /** Walks up from the working directory (a module directory under Surefire) to the root. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no directory above " + Path.of("").toAbsolutePath()
                + " holds both docker-compose.yml and mvnw");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<?> list(Object value) {
        return value == null ? List.of() : (List<?>) value;
    }
}
