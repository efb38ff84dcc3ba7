// Renderer entry: applies the theme, then mounts the app. Everything it shows comes from window.api.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles/tokens.css';
import './styles/components.css';
import './styles/app.css';
import { App } from './app/App.tsx';
import { WorkflowProvider } from './app/workflow.tsx';
import { applyStoredTheme } from './app/theme.tsx';

applyStoredTheme();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WorkflowProvider>
      <App />
    </WorkflowProvider>
  </StrictMode>,
);
