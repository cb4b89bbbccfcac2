"""PDFs from the same Django templates as the pages (WeasyPrint): tagged PDF/UA-1, A4, with
page numbers. The PDF templates carry their own print stylesheet, so nothing is fetched."""

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def pdf_response(request: HttpRequest, template: str, context: dict, filename: str) -> HttpResponse:
    from weasyprint import HTML  # loaded on the first PDF, not with every page

    html = render_to_string(template, context, request=request)
    pdf = HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
