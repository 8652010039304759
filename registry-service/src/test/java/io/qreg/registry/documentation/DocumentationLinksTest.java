package io.qreg.registry.documentation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository explains itself: every relative link in README.md and in docs/ (sub-folders too) leads to a
 * file inside the repository, and a {@code file.md#heading} link to a heading that file has.
 */
class DocumentationLinksTest {

    /** Tests run in registry-service/; the repository is its parent. */
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyRelativeLinkInTheReadmeAndDocsResolvesInsideTheRepository() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(REPOSITORY.resolve("README.md")));
        try (Stream<Path> docs = Files.walk(REPOSITORY.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        assertThat(pages).as("README and the docs are found").hasSizeGreaterThan(10)
                .contains(REPOSITORY.resolve("docs/architecture.md"));
        MarkdownLinks links = new MarkdownLinks(REPOSITORY);

        List<String> broken = pages.stream().flatMap(p -> links.broken(p).stream()).toList();

        assertThat(broken).as("links that do not resolve inside the repository").isEmpty();
        assertThat(pages.stream().mapToLong(p -> MarkdownLinks.links(p).size()).sum())
                .as("links were read at all").isGreaterThan(50);
    }

    @Test
    void aMissingFileAHeadingThatIsNotThereAndALinkOutOfTheRepositoryAreEachReported(@TempDir Path repo)
            throws IOException {
        Files.createDirectories(repo.resolve("docs/sub"));
        Files.writeString(repo.resolve("docs/guide.md"), """
                # Guide
                ## The `audit` log, and more!
                ## Setup
                ## Setup
                """);
        Files.writeString(repo.resolve("docs/sub/page.md"), """
                See the [guide](../guide.md#the-audit-log-and-more), [again](../guide.md#setup-1),
                [the folder](../), [the web](https://example.org/x.md) and [mail](mailto:a@b.c).
                A [split
                link text](../guide.md#guide) and ![an image](../guide.md).

                Broken: [gone](../nothing.md), [no heading](../guide.md#no-such-heading),
                [outside](../../../etc/passwd), [sibling](../../../sibling-repo/NOTES.md), [absolute](/docs/guide.md),
                [here](#nowhere), [file](file:///tmp/x.md).

                [ref]: ../missing-too.md

                ```bash
                echo "[not a link](nowhere.md)"
                ```
                And `[code](nowhere.md)` is not a link either.
                """);

        List<String> broken = new MarkdownLinks(repo).broken(repo.resolve("docs/sub/page.md"));

        assertThat(broken).containsExactlyInAnyOrder(
                "docs/sub/page.md:6: ../nothing.md (no such file)",
                "docs/sub/page.md:6: ../guide.md#no-such-heading (no heading with that anchor in docs/guide.md)",
                "docs/sub/page.md:7: ../../../etc/passwd (outside the repository)",
                "docs/sub/page.md:7: ../../../sibling-repo/NOTES.md (outside the repository)",
                "docs/sub/page.md:7: /docs/guide.md (an absolute path; link relative to the file instead)",
                "docs/sub/page.md:8: #nowhere (no heading with that anchor in docs/sub/page.md)",
                "docs/sub/page.md:8: file:///tmp/x.md (a file: link leaves the repository)",
                "docs/sub/page.md:10: ../missing-too.md (no such file)");
    }

    @Test
    void headingsGetGitHubsAnchors() {
        assertThat(MarkdownLinks.slug("XDS for Envoy fleets")).isEqualTo("xds-for-envoy-fleets");
        assertThat(MarkdownLinks.slug("2-5. What the script does, step by step"))
                .isEqualTo("2-5-what-the-script-does-step-by-step");
        assertThat(MarkdownLinks.slug("The [audit log](security.md) & webhooks")).isEqualTo("the-audit-log--webhooks");
        assertThat(MarkdownLinks.slug("Fallback threshold (`p`)")).isEqualTo("fallback-threshold-p");
    }
}
