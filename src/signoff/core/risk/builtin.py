"""The built-in risk rules: data for the common stacks, documented one by one in docs/risk.md.

Most rules are a path pattern list (gitignore style) and, where the path alone says too little,
patterns on added lines. A few need code (a new dependency, a new top-level directory,
user-visible text in templates, security words in paths): those are rules too, with their own
id, and name the code detector that does the work (``core/risk/detectors.py``).

Importing this module compiles nothing; ``signoff spec check`` reads the rule ids at start-up.

Choices that are easy to argue with, and why:

- Test files, fixtures and generated files (lock files, minified code, vendored code) never
  raise schema, deploy, copy, vendor or architecture risk: a ``CREATE TABLE`` in a test or a
  Dockerfile in a fixture changes nothing that ships.
- Documentation does not raise risk from its lines either (a ``CREATE TABLE`` in a README is
  prose), nor deploy, copy or vendor risk from its paths; a file's *path* still counts there
  for schema, security and architecture (``docs/openapi.yaml``, ``docs/adr/0007-*.md``).
- Secrets with a recognisable format (keys, tokens) are reported everywhere, tests and docs
  included: a live key in a fixture is as leaked as one in code. Only AWS's documented
  example key is ignored. The generic ``password = "..."`` rule looks at configuration files
  only, where it is rarely a fixture.
- Development-only container files (``Dockerfile.dev``, ``docker-compose.override.yml``,
  ``.devcontainer/``, ``Procfile.dev``) are not deploys, and development-only dependencies
  (``devDependencies``, dev and test groups, ``requirements-dev.txt``) are no vendor
  commitment: nothing ships with them.
- A CI workflow is a deploy when it deploys or releases, judged on its whole text; a change
  to comments of a Helm chart or Terraform (or to Terraform formatting and variable
  descriptions) deploys nothing.
- Env templates (``.env.example``) are not security by path: they document names, not values.
- A template or stylesheet is never security by its name (``password_reset.txt.tmpl`` is an
  e-mail, ``theme/tokens.ts`` colours); only code is.
- Patterns on lines of code skip comment lines: a comment about ``DROP TABLE`` drops nothing.
"""

from __future__ import annotations

from signoff.core.risk.model import RiskRule


def _any(*names: str) -> tuple[str, ...]:
    """Patterns for files or folders named so at any depth."""
    return tuple(f"**/{name}" for name in names)


def _ext(prefixes: tuple[str, ...], *extensions: str) -> tuple[str, ...]:
    return tuple(f"{prefix}.{extension}" for prefix in prefixes for extension in extensions)


YAML = ("**/*.yaml", "**/*.yml")

TESTS: tuple[str, ...] = (
    *_any("test/", "tests/", "__tests__/", "spec/", "testdata/", "fixtures/", "__fixtures__/"),
    *_any("__mocks__/", "e2e/", "cypress/", "test_*.py", "*_test.py", "conftest.py"),
    *_any("*_test.go", "*_spec.rb", "*_test.rb", "*.test.*", "*.spec.[jt]s", "*.spec.[jt]sx"),
    *_any("*.spec.mjs", "*.stories.*", "*Test.java", "*Tests.java", "*Test.kt", "*Tests.cs"),
)
DOCS: tuple[str, ...] = (
    *_any("docs/", "doc/", "*.md", "*.markdown", "*.rst", "*.adoc", "*.asciidoc"),
    *_any("README*", "CHANGELOG*", "CHANGES*", "HISTORY*", "LICENSE*", "LICENCE*", "NOTICE*"),
    *_any("AUTHORS*", "CONTRIBUTING*"),
)
GENERATED: tuple[str, ...] = (
    *_any("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "uv.lock"),
    *_any("poetry.lock", "Pipfile.lock", "Cargo.lock", "go.sum", "Gemfile.lock", "composer.lock"),
    *_any("*.min.js", "*.min.css", "*.map", "node_modules/", "vendor/", "third_party/"),
)
SHIPPED = TESTS + GENERATED  # excluded from path rules: what is not shipped
CODE = TESTS + DOCS + GENERATED  # excluded from line rules: also prose

# Where settings live: Django settings, Rails config, app entry points, config formats.
SETTINGS: tuple[str, ...] = (
    *_any("settings.py", "*settings*.py", "settings/", "config/", "conf/", "configs/"),
    *_any("config.*", "*.config.js", "*.config.ts", "*.config.mjs", "initializers/"),
    *_any("environments/", "wsgi.py", "asgi.py", "app.py", "main.py", "app.[jt]s", "server.[jt]s"),
    *_any("index.[jt]s", "main.[jt]s", "main.go", "application.rb", "middleware*", "*.ini"),
    *_any("*.cfg", "*.conf", "*.properties", "*.toml", *YAML, "*.json", ".env*", "*.env"),
)
# Env templates document the variables an app reads; they hold no secrets by convention.
ENV_TEMPLATES: tuple[str, ...] = _any(
    ".env.example", ".env.sample", ".env.template", ".env.dist", ".env.*.example",
    ".env.*.sample", ".env.*.template", ".env.*.dist", "*.env.example", "*.env.sample",
    "*.env.template", "*.env.dist", "example.env", "sample.env",
)  # fmt: skip
CORS_FILES: tuple[str, ...] = _any("cors.*", "*_cors.*", "*-cors.*", "cors/")
TERRAFORM: tuple[str, ...] = _any(
    "*.tf", "*.tfvars", "*.tf.json", "*.tfvars.json", ".terraform.lock.hcl", "terragrunt.hcl"
)
# Where login code lives: files and folders named for authentication, sessions, passwords,
# accounts, users, sign-up, middleware and routes (with SETTINGS, app entry points). Broad on
# purpose: a rule scoped here reads the lines only of these files, and still needs them to
# speak of logging in.
LOGIN_CODE: tuple[str, ...] = _any(
    "*auth*", "*login*", "*logon*", "*signin*", "*sign_in*", "*sign-in*", "*session*",
    "*passw*", "*account*", "*user*", "*identity*", "*registration*", "*signup*", "*member*",
    "*middleware*", "*throttl*", "*ratelimit*", "*rate_limit*", "*security*", "routes/",
    "routes.*", "router.*", "urls.py",
)  # fmt: skip
TEMPLATE_EXTENSIONS = (
    "html", "htm", "jinja", "jinja2", "j2", "njk", "hbs", "handlebars", "mustache", "erb",
    "haml", "slim", "liquid", "twig", "ejs", "pug", "jade", "gohtml", "tmpl", "cshtml",
    "razor", "vue", "svelte", "astro", "jsx", "tsx", "mjml",
)  # fmt: skip
PAGE_EXTENSIONS = (*TEMPLATE_EXTENSIONS, "md", "mdx", "txt", "php")


def _rule(
    rule_id: str,
    description: str,
    *,
    paths: tuple[str, ...] = (),
    added: tuple[str, ...] = (),
    exclude: tuple[str, ...] | None = None,
    detector: str | None = None,
    secret: bool = False,
) -> RiskRule:
    category = rule_id.split(".", 1)[0]
    if exclude is None:
        # A path alone still counts in docs for contracts, key files and decision records.
        path_counts_in_docs = category in ("schema", "security", "architecture")
        exclude = SHIPPED if path_counts_in_docs and not (added or detector) else CODE
    return RiskRule(
        id=rule_id,
        category=category,
        description=description,
        paths=paths,
        added_lines=added,
        exclude=exclude,
        skip_comments=bool(added) and not secret,  # a key in a comment is still leaked
        detector=detector,
    )


_DDL_OBJECT = (
    r"(?:TABLE|INDEX|VIEW|SCHEMA|DATABASE|SEQUENCE|TYPE|DOMAIN|TRIGGER|EXTENSION|COLUMN"
    r"|CONSTRAINT|FUNCTION|PROCEDURE|POLICY|ROLE)"
)
_DDL_MODIFIERS = (
    r"(?:\s+(?:OR\s+REPLACE|UNIQUE|TEMP|TEMPORARY|MATERIALIZED|IF\s+(?:NOT\s+)?EXISTS))*"
)

SCHEMA: tuple[RiskRule, ...] = (
    _rule("schema.django-migration", "a Django migration",
          paths=_any("migrations/[0-9][0-9][0-9][0-9]_*.py")),
    _rule("schema.alembic-revision", "an Alembic revision",
          paths=_any("alembic/versions/*.py", "migrations/versions/*.py")),
    _rule("schema.rails-migration", "a Rails migration",
          paths=_any("db/migrate/*.rb", "db/*_migrate/*.rb")),
    _rule("schema.rails-schema", "the Rails schema dump",
          paths=_any("db/schema.rb", "db/*_schema.rb", "db/structure.sql", "db/*_structure.sql")),
    _rule("schema.prisma", "a Prisma schema or migration",
          paths=_any("*.prisma", "prisma/migrations/")),
    _rule("schema.flyway", "a Flyway migration",
          paths=_any("V[0-9]*__*.sql", "R__*.sql", "U[0-9]*__*.sql", "V[0-9]*__*.java",
                     "db/migration/")),
    _rule("schema.liquibase", "a Liquibase changelog",
          paths=_any("db.changelog*", "db/changelog/", "liquibase/", "changelog/*.xml",
                     "changelog/*.sql")),
    _rule("schema.migration-files", "a database migration",
          paths=(*_ext(_any("migrations/**/*"), "sql"),
                 *_ext(_any("migrations/*"), "js", "ts", "cjs", "mjs", "go", "exs"),
                 *_any("migrate/*.sql", "database/migrations/*.php", "Migrations/*.cs",
                       "db/migrations/", "sql/migrations/")),
          exclude=(*SHIPPED, "**/__init__.py")),
    _rule("schema.sql-ddl", "a DDL statement in a SQL file",
          paths=_ext(_any("*"), "sql", "ddl", "psql", "mysql", "pgsql", "cql", "hql"),
          # One pattern, not two: a line matching both (ALTER TABLE ... ADD COLUMN) is one
          # piece of evidence.
          added=((rf"(?i)\b(?:(?:CREATE|ALTER|DROP|RENAME|TRUNCATE){_DDL_MODIFIERS}\s+{_DDL_OBJECT}"
                  r"|(?:ADD|DROP|RENAME|ALTER|MODIFY)\s+COLUMN)\b"),)),
    # One pattern per keyword: each starts with a literal, which the regex engine finds fast.
    _rule("schema.ddl-in-code", "a DDL statement in code",
          added=tuple(rf"{keyword}{_DDL_MODIFIERS}\s+{_DDL_OBJECT}\b"
                      for keyword in ("CREATE", "ALTER", "DROP")),
          exclude=(*CODE, *_ext(_any("*"), "sql", "ddl", "psql", "mysql", "pgsql", "cql", "hql"))),
    _rule("schema.protobuf", "a Protocol Buffers contract", paths=_any("*.proto")),
    _rule("schema.openapi", "an OpenAPI or AsyncAPI contract",
          paths=(*_ext(_any("openapi*", "swagger*", "asyncapi*"), "yaml", "yml", "json"),
                 *_ext(_any("openapi/**/*"), "yaml", "yml", "json"))),
    _rule("schema.openapi-document", "an OpenAPI or AsyncAPI document",
          paths=(*YAML, "**/*.json"),
          added=(r"""(?:openapi|swagger|asyncapi)["']?\s*:\s*["']?[0-9]""",)),
    _rule("schema.graphql", "a GraphQL schema",
          paths=_any("*.graphqls", "schema.graphql", "schema.gql", "*.schema.graphql",
                     "schema/**/*.graphql", "schemas/**/*.graphql")),
    _rule("schema.avro", "an Avro schema", paths=_any("*.avsc", "*.avdl", "*.avpr")),
    _rule("schema.json-schema", "a JSON Schema contract",
          paths=_any("*.schema.json", "schemas/**/*.json", "json-schema/", "jsonschema/")),
)  # fmt: skip

_K8S_KINDS = (
    "Deployment|StatefulSet|DaemonSet|ReplicaSet|Pod|Service|Ingress|IngressClass|CronJob|Job"
    "|ConfigMap|Secret|Namespace|HorizontalPodAutoscaler|PodDisruptionBudget|PersistentVolume"
    "|PersistentVolumeClaim|StorageClass|CustomResourceDefinition|Gateway|HTTPRoute"
    "|VirtualService|DestinationRule|Certificate|Rollout|HelmRelease|Application|Kustomization"
)
_CI = (
    ".github/workflows/",
    ".github/actions/",
    ".gitlab-ci.yml",
    ".gitlab/ci/",
    "**/Jenkinsfile",
    "**/Jenkinsfile.*",
    ".circleci/",
    "azure-pipelines*.yml",
    "bitbucket-pipelines.yml",
    ".travis.yml",
    ".buildkite/",
    ".drone.yml",
    ".woodpecker/",
    ".woodpecker.yml",
)
_DEV_ONLY = (
    *_any("Dockerfile.dev", "Dockerfile.development", "Dockerfile.local", "*.dev.Dockerfile"),
    *_any(".devcontainer/", "Procfile.dev", "docker-compose.override.y*ml"),
    *_any("docker-compose.dev.y*ml", "docker-compose.local.y*ml", "compose.override.y*ml"),
    *_any("compose.dev.y*ml"),
)

DEPLOY: tuple[RiskRule, ...] = (
    _rule("deploy.dockerfile", "a container image build",
          paths=_any("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile"),
          exclude=CODE + _DEV_ONLY),
    _rule("deploy.compose", "a Compose file",
          paths=_ext(_any("docker-compose*", "compose", "compose.*", "docker-stack*"),
                     "yml", "yaml"),
          exclude=CODE + _DEV_ONLY),
    _rule("deploy.kubernetes-path", "a Kubernetes manifest",
          paths=(*_any("k8s/", "kube/", "kubernetes/", "kustomize/", "kustomization.yaml"),
                 *_any("kustomization.yml", "manifests/**/*.yaml", "manifests/**/*.yml"))),
    _rule("deploy.kubernetes-kind", "a Kubernetes object",
          paths=YAML,
          added=(rf"""kind:\s*["']?(?:{_K8S_KINDS})["']?\s*(?:#.*)?$""",)),
    # Both read the whole file: a change to comments (and, in Terraform, to formatting and to
    # variable and output descriptions) renders and plans the same, so it deploys nothing.
    _rule("deploy.helm", "a Helm chart",
          paths=_any("Chart.yaml", "Chart.lock", "charts/", "helm/", "helmfile.yaml",
                     "helmfile.yml", "helmfile.d/"),
          detector="helm-chart"),
    _rule("deploy.terraform", "a Terraform configuration",
          paths=TERRAFORM, detector="terraform"),
    _rule("deploy.pulumi", "a Pulumi project or stack",
          paths=_ext(_any("Pulumi", "Pulumi.*"), "yaml", "yml")),
    _rule("deploy.cloudformation", "a CloudFormation or CDK stack",
          paths=(*_any("cloudformation/", "cfn/", "*.cfn.yaml", "*.cfn.yml", "*.cfn.json"),
                 *_any("samconfig.toml", "cdk.json"))),
    _rule("deploy.cloudformation-template", "a CloudFormation resource",
          paths=(*YAML, "**/*.json", "**/*.template"),
          added=(r"AWSTemplateFormatVersion", r"AWS::[A-Za-z0-9]+::[A-Za-z0-9]+")),
    _rule("deploy.ansible", "an Ansible playbook or inventory",
          paths=(*_any("ansible/", "playbooks/", "playbook*.yml", "playbook*.yaml", "site.yml"),
                 *_any("roles/*/tasks/", "roles/*/handlers/", "roles/*/defaults/"),
                 *_any("roles/*/vars/", "group_vars/", "host_vars/", "inventories/"),
                 *_any("inventory/*.ini", "inventory/*.yml", "inventory/*.yaml", "ansible.cfg"))),
    _rule("deploy.procfile", "a Procfile", paths=_any("Procfile", "Procfile.*", "heroku.yml"),
          exclude=CODE + _DEV_ONLY),
    _rule("deploy.fly", "a Fly.io app configuration", paths=_any("fly.toml", "fly.*.toml")),
    _rule("deploy.app-engine", "a Google App Engine configuration",
          paths=_any("app.yaml", "dispatch.yaml")),
    _rule("deploy.serverless", "a Serverless Framework service",
          paths=_any("serverless.yml", "serverless.yaml", "serverless.ts", "serverless.json")),
    _rule("deploy.vercel", "a Vercel configuration", paths=_any("vercel.json", "now.json")),
    _rule("deploy.netlify", "a Netlify configuration",
          paths=_any("netlify.toml", "_redirects", "_headers")),
    _rule("deploy.platform-config", "a hosting platform or deploy tool configuration",
          paths=(*_any("render.yaml", "railway.json", "railway.toml", "wrangler.toml"),
                 *_any("wrangler.json", "wrangler.jsonc", ".platform.app.yaml", ".platform/"),
                 *_any("appspec.yml", "appspec.yaml", "Dockerrun.aws.json", ".ebextensions/"),
                 *_any("skaffold.yaml", "cloudbuild.yaml", "cloudbuild.yml", "nixpacks.toml"),
                 *_any("apprunner.yaml", "*.nomad", "*.nomad.hcl", "Capfile"),
                 *_any("config/deploy.yml", "config/deploy.rb", "config/deploy/", ".kamal/"),
                 *_any("nginx.conf", "Caddyfile"))),
    _rule("deploy.ci-workflow", "a CI workflow that deploys or releases",
          paths=tuple(f"{folder}*{word}*" for folder in (".github/workflows/", ".gitlab/ci/")
                      for word in ("deploy", "release", "publish", "delivery", "production",
                                   "cd."))),
    # Reads the whole workflow: a change to a workflow that deploys is a deploy change, even
    # on a line that does not say so; a lint or test workflow is not.
    _rule("deploy.ci-step", "a CI workflow that deploys or releases",
          paths=_CI, detector="ci-deploy"),
)  # fmt: skip

# A quoted literal of 8+ characters that is not a placeholder, a variable or a template.
_PLACEHOLDERS = "changeme|change-me|password|example|xxxx|your|dummy|placeholder|secret|test"
_SECRET_VALUE = rf"""["'](?P<secret>(?!(?i:{_PLACEHOLDERS}))[^"'\s$%{{}}<>]{{8,}})["']"""

SECURITY: tuple[RiskRule, ...] = (
    _rule("security.sensitive-path",
          "authentication, session, permission, crypto, token or secret code",
          detector="sensitive-path", exclude=CODE),
    _rule("security.authorization-policy", "an authorization policy",
          paths=_any("app/policies/", "*_policy.rb", "*.rego", "casbin*.conf", "*.cedar")),
    _rule("security.codeowners", "the CODEOWNERS file", paths=_any("CODEOWNERS")),
    # The gate reads its policy from the checkout: a change that edits it would otherwise relax
    # the very rules that judge it, so it needs a person's sign-off like any security boundary.
    _rule("security.gate-policy", "the gate policy (signoff.toml)", paths=_any("signoff.toml")),
    _rule("security.env-file", "an environment file",
          paths=_any(".env", ".env.*", ".envrc", "*.env"),
          exclude=(*SHIPPED, *ENV_TEMPLATES)),
    _rule("security.key-file", "a key or certificate file",
          paths=_any("*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "id_rsa",
                     "id_ecdsa", "id_ed25519", "*.crt", "*.cer")),
    _rule("security.iam-policy", "an IAM policy",
          paths=_any("iam/", "*iam*.json", "*iam*.tf", "*-policy.json", "*_policy.json")),
    _rule("security.iam-statement", "an IAM statement",
          paths=(*YAML, "**/*.json", "**/*.tf", "**/*.hcl"),
          added=(r'"Effect"\s*:\s*"(?:Allow|Deny)"', r"Effect:\s*[\"']?(?:Allow|Deny)",
                 r"aws_iam_\w+", r"google_\w+_iam_\w+", r"azurerm_role_\w+")),
    _rule("security.kubernetes-rbac", "a Kubernetes access-control object",
          paths=YAML,
          added=((r"""kind:\s*["']?(?:Role|ClusterRole|RoleBinding|ClusterRoleBinding"""
                 r"""|ServiceAccount|NetworkPolicy|PodSecurityPolicy|AuthorizationPolicy"""
                 r"""|PeerAuthentication)["']?\s*(?:#.*)?$"""),)),
    _rule("security.settings", "a security setting (secret key, hosts, debug, session, CSRF)",
          paths=SETTINGS,
          added=((r"\b(?:SECRET_KEY|SECRET_KEY_BASE|ALLOWED_HOSTS|DEBUG|CSRF_[A-Z_]+"
                 r"|SESSION_COOKIE_[A-Z_]+|SESSION_ENGINE|SECURE_[A-Z_]+|PASSWORD_HASHERS"
                 r"|AUTH_PASSWORD_VALIDATORS|AUTHENTICATION_BACKENDS|X_FRAME_OPTIONS|JWT_[A-Z_]+)"
                 r"\b[\"']?\s*[:=]"),
                 (r"\b(?:secret_key_base|secret_key|force_ssl|session_store|allowed_hosts)\b"
                 r"[\"']?\s*[:=]"),
                 r"\bdebug[\"']?\s*[:=]\s*[\"']?(?:true|True|1|yes|on)\b")),
    _rule("security.cors", "a cross-origin (CORS) setting",
          paths=(*SETTINGS, *CORS_FILES),
          added=((r"(?i)\bcors|Access-Control-Allow-|CrossOrigin|allow(?:ed)?[_-]?origins"
                 r"""|\borigins?\b["']?\s*[:=(]?\s*\[?\s*["']\*["']"""),)),
    _rule("security.cors-config", "a cross-origin (CORS) configuration file",
          paths=CORS_FILES, exclude=CODE),
    _rule("security.csp", "a content security policy or security headers",
          paths=SETTINGS,
          added=((r"(?i)content[-_]?security[-_]?policy|\bcsp_|helmet\(|talisman|secure_headers"
                 r"|Strict-Transport-Security|X-Frame-Options"),)),
    _rule("security.cookie-flags", "a cookie security flag",
          paths=SETTINGS,
          added=((r"(?i)\b(?:http_?only|same_?site)\b|\bsecure\s*[:=]\s*(?:true|false)"
                 r"|cookie_secure|cookie\.secure"),)),
    _rule("security.csrf", "a CSRF protection change",
          added=((r"csrf(?:_exempt|\(\)\.disable|:\s*false|_protection\s*[:=]\s*false"
                 r"|\(\s*\w+\s*->\s*\w+\.disable|\(\s*AbstractHttpConfigurer::disable)"),)),
    _rule("security.rails-forgery-protection", "a Rails request-forgery protection change",
          paths=_any("*.rb"), added=(r"verify_authenticity_token", r"protect_from_forgery")),
    _rule("security.private-key", "a private key", exclude=GENERATED, secret=True,
          added=(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----",)),
    _rule("security.aws-key", "an AWS access key id", exclude=GENERATED, secret=True,
          added=(r"(?P<secret>A(?:KIA|SIA|BIA|CCA)(?!IOSFODNN7EXAMPLE)[A-Z2-7]{16})(?![A-Z2-7])",)),
    _rule("security.git-host-token", "a GitHub or GitLab token", exclude=GENERATED, secret=True,
          added=(r"(?P<secret>gh[pousr]_[A-Za-z0-9]{36,255})",
                 r"(?P<secret>github_pat_[A-Za-z0-9_]{22,255})",
                 r"(?P<secret>glpat-[A-Za-z0-9_\-]{20,})")),
    _rule("security.slack-token", "a Slack token or webhook", exclude=GENERATED, secret=True,
          added=(r"(?P<secret>xox[baprs]-[A-Za-z0-9-]{10,})",
                 r"hooks\.slack\.com/services/(?P<secret>T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+)")),
    _rule("security.stripe-key", "a live Stripe key", exclude=GENERATED, secret=True,
          added=(r"(?P<secret>sk_live_[A-Za-z0-9]{20,})",)),
    _rule("security.google-api-key", "a Google API key", exclude=GENERATED, secret=True,
          added=(r"(?P<secret>AIza[0-9A-Za-z_\-]{35})",)),
    _rule("security.llm-api-key", "an OpenAI or Anthropic API key", exclude=GENERATED, secret=True,
          added=((r"(?P<secret>sk-(?:proj-|ant-|svcacct-)[A-Za-z0-9_\-]{20,}"
                 r"|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})"),)),
    _rule("security.sendgrid-key", "a SendGrid API key", exclude=GENERATED, secret=True,
          added=(r"(?P<secret>SG\.[\w-]{22}\.[\w-]{43})",)),
    _rule("security.auth-throttling", "a login throttling or lockout change",
          paths=(*LOGIN_CODE, *SETTINGS), detector="auth-throttling"),
    _rule("security.terraform-secret-default",
          "a literal default for a Terraform variable that holds a secret",
          paths=TERRAFORM, detector="terraform-secret-default"),
    _rule("security.secret-assignment", "a password, key or token written into configuration",
          paths=(*SETTINGS, *TERRAFORM, "**/*.hcl"),
          added=(r"(?i)(?:password|passwd|secret|api[_-]?key|access[_-]?key|auth[_-]?token"
                 r"|client[_-]?secret|private[_-]?key|token)[\"']?\s*[:=]\s*" + _SECRET_VALUE,)),
)  # fmt: skip

# Markdown and text are pages here (a privacy policy in Markdown is still one); docs folders not.
_NOT_PAGES = (*SHIPPED, "**/docs/**", "**/doc/**")

COPY: tuple[RiskRule, ...] = (
    # Compares the text on removed and added lines: a key renamed or moved is not copy.
    _rule("copy.locale-catalog", "a translation catalog",
          paths=(*_any("*.po", "*.pot", "*.mo", "locales/", "locale/", "i18n/", "l10n/"),
                 *_any("*.xliff", "*.xlf", "*.strings", "*.stringsdict", "*.arb", "*.resx"),
                 *_any("messages*.properties", "translations/", "lang/**/*.json"),
                 *_any("lang/**/*.php", "res/values*/strings.xml"),
                 # next-intl and friends: messages/en.json, messages/pt-BR.json, zh-Hans, es-419
                 *_ext(_any("messages/[a-z][a-z]", "messages/[a-z][a-z][a-z]",
                            "messages/[a-z][a-z][-_][A-Za-z][A-Za-z]",
                            "messages/[a-z][a-z][-_][A-Z][a-z][a-z][a-z]",
                            "messages/[a-z][a-z][-_][0-9][0-9][0-9]"), "json")),
          exclude=_NOT_PAGES, detector="locale-text"),
    _rule("copy.email-template", "an e-mail or notification template",
          paths=(*_any("templates/**/email/", "templates/**/emails/", "templates/**/mail/"),
                 *_any("templates/**/notifications/", "templates/**/sms/", "email_templates/"),
                 *_any("mail_templates/", "email-templates/", "app/views/*_mailer/", "*.mjml"),
                 *_ext(_any("emails/**/*", "mailers/**/*", "notifications/templates/**/*"),
                       *PAGE_EXTENSIONS)),
          exclude=_NOT_PAGES, detector="visible-text"),
    _rule("copy.legal-page", "a legal page (terms, privacy, cookies)",
          paths=(*_any("legal/", "terms/", "privacy/"),
                 *_ext(_any("terms", "terms[-_]*", "Terms*", "tos", "privacy", "privacy[-_]*",
                            "Privacy*", "cookie[-_]policy*", "CookiePolicy*", "eula", "imprint",
                            "impressum", "disclaimer"), *PAGE_EXTENSIONS)),
          exclude=_NOT_PAGES, detector="visible-text"),
    _rule("copy.templates", "user-visible text in a template",
          paths=(*_ext(_any("*"), *TEMPLATE_EXTENSIONS), "**/*.blade.php", "**/templates/**/*.txt"),
          exclude=(*CODE, "**/.storybook/**"),
          detector="visible-text"),
)  # fmt: skip

_PY_SERVICES = (
    "stripe|braintree|paypalrestsdk|paypalcheckoutsdk|adyen|square|twilio|sendgrid"
    "|mailchimp_marketing|mailchimp3|postmarker|sparkpost|mixpanel|amplitude|intercom|zenpy"
    "|hubspot|simple_salesforce|algoliasearch|pusher|auth0|okta|firebase_admin|supabase"
    "|openai|anthropic|cohere|mistralai|groq|replicate|pinecone|weaviate|qdrant_client"
    "|ddtrace|datadog|sentry_sdk|newrelic|ldclient|plaid|shopify|contentful|cloudinary|boto3"
    "|botocore|google\\.cloud|google\\.generativeai|google\\.genai|azure|slack_sdk|posthog"
    "|rollbar|bugsnag|vonage|resend|segment"
)
_JS_SERVICES = (
    "stripe|@stripe/[\\w.-]+|braintree|@paypal/[\\w.-]+|twilio|@sendgrid/[\\w.-]+|mailgun\\.js"
    "|mailgun-js|@mailchimp/[\\w.-]+|postmark|@segment/[\\w.-]+|analytics-node|mixpanel"
    "|mixpanel-browser|@amplitude/[\\w.-]+|intercom-client|algoliasearch|pusher|pusher-js"
    "|auth0|@auth0/[\\w.-]+|@okta/[\\w.-]+|firebase|firebase-admin|@supabase/[\\w.-]+|openai"
    "|@anthropic-ai/sdk|cohere-ai|@google/generative-ai|@google/genai|@pinecone-database/[\\w.-]+"
    "|@datadog/[\\w.-]+|dd-trace|@sentry/[\\w.-]+|newrelic|@launchdarkly/[\\w.-]+"
    "|launchdarkly-[\\w.-]+|plaid|@shopify/[\\w.-]+|contentful|cloudinary|aws-sdk"
    "|@aws-sdk/[\\w.-]+|@google-cloud/[\\w.-]+|@azure/[\\w.-]+|@slack/[\\w.-]+|posthog-js"
    "|posthog-node|resend|@clerk/[\\w.-]+|@upstash/[\\w.-]+"
)
_GO_SERVICES = (
    "stripe|twilio|sendgrid|aws|Azure|getsentry|DataDog|slack-go|sashabaranov|openai"
    "|anthropics|plaid|launchdarkly|newrelic|algolia|mailgun|pusher|auth0|okta|segmentio"
)
_JVM_SERVICES = (
    "com\\.stripe|com\\.twilio|com\\.sendgrid|software\\.amazon\\.awssdk|com\\.amazonaws"
    "|com\\.google\\.cloud|com\\.azure|io\\.sentry|com\\.slack\\.api|com\\.braintreegateway"
    "|com\\.plaid|com\\.launchdarkly|com\\.datadoghq|com\\.algolia|com\\.openai|com\\.anthropic"
)
_RUBY_SERVICES = (
    "stripe|twilio-ruby|sendgrid-ruby|aws-sdk[\\w-]*|google/cloud[\\w/-]*|sentry-ruby"
    "|slack-ruby-client|openai|ruby/openai|anthropic|mailgun-ruby|braintree|plaid|algolia"
    "|intercom|segment/analytics|analytics-ruby|launchdarkly-server-sdk|newrelic_rpm|ddtrace"
)
MANIFESTS: tuple[str, ...] = (
    *_any("requirements*.txt", "requirements*.in", "requirements/*.txt", "requirements/*.in"),
    *_any("*-requirements.txt", "*_requirements.txt"),
    *_any("pyproject.toml", "Pipfile", "package.json", "go.mod", "Cargo.toml", "Gemfile"),
    *_any("*.gemspec", "pom.xml", "build.gradle", "build.gradle.kts", "composer.json"),
    *_any("Chart.yaml"),  # a Helm chart's dependencies: other charts, often a vendor's
)

VENDOR: tuple[RiskRule, ...] = (
    _rule("vendor.new-dependency", "a new dependency in a manifest",
          paths=MANIFESTS, detector="new-dependency"),
    _rule("vendor.sdk-import-python", "an import of an external service's Python SDK",
          paths=_any("*.py"),
          added=(rf"import[ \t]+(?:{_PY_SERVICES})\b",
                 rf"from[ \t]+(?:{_PY_SERVICES})(?:\.\w+)*[ \t]+import\b")),
    _rule("vendor.sdk-import-js", "an import of an external service's JavaScript SDK",
          paths=_ext(_any("*"), "js", "jsx", "ts", "tsx", "mjs", "cjs", "vue", "svelte"),
          added=(rf"""from[ \t]+["'](?:{_JS_SERVICES})(?:/[^"']*)?["']""",
                 rf"""require\(\s*["'](?:{_JS_SERVICES})(?:/[^"']*)?["']\s*\)""")),
    _rule("vendor.sdk-import-go", "an import of an external service's Go SDK",
          paths=_any("*.go"),
          added=(rf'"github\.com/(?:{_GO_SERVICES})/', r'"cloud\.google\.com/go/',
                 r'"firebase\.google\.com/go')),
    _rule("vendor.sdk-import-jvm", "an import of an external service's Java or Kotlin SDK",
          paths=_any("*.java", "*.kt", "*.scala"),
          added=(rf"import[ \t]+(?:{_JVM_SERVICES})\.",)),
    _rule("vendor.sdk-import-ruby", "a require of an external service's Ruby SDK",
          paths=_any("*.rb"),
          added=(rf"""require[ \t(]+["'](?:{_RUBY_SERVICES})["']""",)),
    _rule("vendor.api-url", "an external API base URL",
          added=((r"://api\.(?!(?:example|test|local|localhost|internal)\b)[a-z0-9-]+"
                 r"(?:\.[a-z0-9-]+)*\.[a-z]{2,}"),
                 r"""BASE_URL["']?\s*[:=]\s*["']?https?://(?!localhost|127\.0\.0\.1|0\.0\.0\.0)""")),
    _rule("vendor.api-key-setting", "an external service's API key setting",
          added=(r"_API_(?:KEY|TOKEN|SECRET)\b",)),
)  # fmt: skip

ARCHITECTURE: tuple[RiskRule, ...] = (
    _rule("architecture.decision-record", "an architecture decision record",
          paths=_any("docs/decisions/", "doc/decisions/", "docs/**/decisions/", "adr/", "adrs/",
                     "architecture/decisions/"),
          exclude=(*SHIPPED, "**/README*", "**/*template*")),
    _rule("architecture.new-top-level", "a new top-level directory, service or package",
          detector="new-directory", exclude=GENERATED),
    _rule("architecture.framework", "a web or ORM framework added or replaced",
          paths=MANIFESTS, detector="framework"),
)  # fmt: skip

BUILTIN_RULES: tuple[RiskRule, ...] = SCHEMA + DEPLOY + SECURITY + COPY + VENDOR + ARCHITECTURE
BUILTIN_RULE_IDS: frozenset[str] = frozenset(rule.id for rule in BUILTIN_RULES)


def builtin_rules(disabled: frozenset[str] = frozenset()) -> tuple[RiskRule, ...]:
    """The built-in rules, minus the ids in ``disabled``."""
    return tuple(rule for rule in BUILTIN_RULES if rule.id not in disabled)


def rule_catalogue() -> tuple[tuple[str, str, str], ...]:
    """(id, category, description) of every built-in rule, code detectors included."""
    return tuple((rule.id, rule.category, rule.description) for rule in BUILTIN_RULES)
