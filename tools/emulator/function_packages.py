"""Lambda packages served by the emulator itself, where GetFunction says they are (launch.py starts
this). `envctl local` downloads the deployed packages from here to run them."""

# Where GetFunction says a function's package can be downloaded (see serve_function_packages).
PACKAGE_PATH = "/_emulator/lambda-package/"
package_base = {"url": None}


def serve_function_packages() -> None:
    """GetFunction answers Code.Location, "a presigned URL that you can use to download the
    deployment package" (Lambda API reference, FunctionCodeLocation). moto answers an address in
    AWS's own bucket that nothing here serves, so the local runner could not run what was deployed.
    Here the address is this emulator's own (`PACKAGE_PATH`), and `PackageServer` answers the bytes
    moto stored."""
    from moto.awslambda.models import LambdaFunction

    get_code = LambdaFunction.get_code

    def located(self):
        answer = get_code(self)
        code = answer.get("Code")
        if code is not None and code.get("RepositoryType") == "S3" and package_base["url"]:
            code["Location"] = (
                f"{package_base['url']}{PACKAGE_PATH}{self.account_id}/{self.region}/{self.function_name}"
            )
        return answer

    LambdaFunction.get_code = located


class PackageServer:
    """`GET PACKAGE_PATH<account>/<region>/<function>`: the function's package as moto stored it
    (404 for a function that does not exist); every other request goes on to `app`."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PACKAGE_PATH):
            return self.app(environ, start_response)
        from moto.awslambda.models import lambda_backends

        parts = path[len(PACKAGE_PATH):].split("/")
        package = None
        if len(parts) == 3:
            account, region, name = parts
            functions = lambda_backends[account][region]._lambdas
            if name in functions._functions:
                package = functions._get_latest(name).code_bytes
        if package is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [f"no package at {path}".encode()]
        start_response(
            "200 OK",
            [("Content-Type", "application/zip"), ("Content-Length", str(len(package)))],
        )
        return [package]
